"""Shared test builders: a small real piece of Thanh Hóa and one user per role and place.

Tests name users by role and place (STYLE.md): `province_admin`, `commune_worker_a` (commune
A = Phường Hàm Rồng), `commune_worker_b` (commune B = Phường Bắc Sơn, another district),
`hotline_agent`, `checkpoint_officer`, `outsider` (no jurisdiction) ...
"""

import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, connections, transaction

from phongdich.accounts.models import Role, User
from phongdich.geo.models import AdminUnit

PASSWORD = "test-password-123"


@dataclass
class World:
    province: AdminUnit
    district_a: AdminUnit
    district_b: AdminUnit
    commune_a: AdminUnit
    commune_a2: AdminUnit
    commune_b: AdminUnit


def _unit(code, name, kind, parent=None, population=10_000):
    path = (parent.path if parent else "/") + code + "/"
    return AdminUnit.objects.create(
        code=code, name=name, kind=kind, parent=parent, path=path, population=population
    )


def make_world() -> World:
    province = _unit("38", "Tỉnh Thanh Hóa", "province", population=3_640_128)
    district_a = _unit("380", "Thành phố Thanh Hóa", "district", province, 400_000)
    district_b = _unit("381", "Thị xã Bỉm Sơn", "district", province, 60_000)
    return World(
        province=province,
        district_a=district_a,
        district_b=district_b,
        commune_a=_unit("14755", "Phường Hàm Rồng", "commune", district_a, 12_000),
        commune_a2=_unit("14758", "Phường Đông Thọ", "commune", district_a, 15_000),
        commune_b=_unit("14809", "Phường Bắc Sơn", "commune", district_b, 9_000),
    )


def make_user(username: str, role: str, jurisdiction: AdminUnit | None, **extra) -> User:
    user = User(username=username, role=role, jurisdiction=jurisdiction, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class Staff:
    province_admin: User
    committee_member: User
    province_health_officer: User
    district_health_officer_a: User
    commune_worker_a: User
    commune_worker_b: User
    care_team_a: User
    hotline_agent: User
    checkpoint_officer: User
    relief_officer: User
    directive_clerk: User
    unit_reporter_a: User
    outsider: User  # an active account with a role but no jurisdiction: sees nothing


def make_staff(world: World) -> Staff:
    return Staff(
        province_admin=make_user("admin", Role.PROVINCE_ADMIN, world.province),
        committee_member=make_user("bcd", Role.COMMITTEE_MEMBER, world.province),
        province_health_officer=make_user("soyte", Role.HEALTH_OFFICER, world.province),
        district_health_officer_a=make_user("ytehuyen", Role.HEALTH_OFFICER, world.district_a),
        commune_worker_a=make_user("tramyte.a", Role.COMMUNE_HEALTH_WORKER, world.commune_a),
        commune_worker_b=make_user("tramyte.b", Role.COMMUNE_HEALTH_WORKER, world.commune_b),
        care_team_a=make_user("chamsoc.a", Role.CARE_TEAM_MEMBER, world.commune_a),
        hotline_agent=make_user("tongdai", Role.HOTLINE_AGENT, world.province),
        checkpoint_officer=make_user("chot", Role.CHECKPOINT_OFFICER, world.province),
        relief_officer=make_user("cuutro", Role.RELIEF_OFFICER, world.province),
        directive_clerk=make_user("vanthu", Role.DIRECTIVE_CLERK, world.province),
        unit_reporter_a=make_user("baocao.a", Role.UNIT_REPORTER, world.district_a),
        outsider=make_user("outsider", Role.COMMUNE_HEALTH_WORKER, None),
    )


# --- concurrency -------------------------------------------------------------------------
# Run the same write from several clients at once, for concurrency tests.
#
# On PostgreSQL each call runs in its own thread on its own connection, all released together
# by a barrier so their statements really overlap; on SQLite (one writer at a time) the calls
# run one after the other, which still checks the outcome rule (one winner, one record).
# Use it from `@pytest.mark.django_db(transaction=True)` tests, so the threads see the data.


def race(calls: Sequence[Callable[[], object]]) -> list[tuple[str, object]]:
    """Run every call at once; return ("ok", result) or ("error", exception) per call."""
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index: int, barrier: threading.Barrier | None) -> None:
        try:
            if barrier is not None:
                barrier.wait(timeout=20)
            outcomes[index] = ("ok", calls[index]())
        except Exception as exc:  # the test decides which errors are the expected losers
            outcomes[index] = ("error", exc)
        finally:
            if barrier is not None:
                connections.close_all()

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(len(calls))
        threads = [threading.Thread(target=run, args=(i, barrier)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for index in range(len(calls)):
            run(index, None)
    assert all(outcome is not None for outcome in outcomes), "a racing call never finished"
    return outcomes  # type: ignore[return-value]


def winners(outcomes) -> list:
    return [value for kind, value in outcomes if kind == "ok"]


def losers(outcomes) -> list:
    return [value for kind, value in outcomes if kind == "error"]


@contextmanager
def while_paused_in(monkeypatch, owner, name: str, call: Callable[[], object]):
    """Run `call` in a thread (its own connection) that stops inside `owner.name`, holding
    whatever locks it took before, and run the with-block meanwhile on this thread's
    connection, in a transaction whose waits for a lock end after 2 s. Yields a dict that
    gets the call's "result" (or "error") once the pause is released. PostgreSQL only: the
    row-lock tests that a write does not hold more than it needs."""
    entered, release = threading.Event(), threading.Event()
    original = getattr(owner, name)

    def paused(*args, **kwargs):
        entered.set()
        release.wait(timeout=20)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, paused)
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = call()
        except Exception as exc:  # the test reads it
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert entered.wait(timeout=20), "the call never reached its pause"
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            yield outcome
    finally:
        release.set()
        thread.join(timeout=30)


def new_province(code: str) -> AdminUnit:
    """A made-up province `code` with district `<code>0` and commune `<code>001` (the
    partition tests' other provinces); returns the commune."""

    def unit(unit_code, parent=None, kind=AdminUnit.Kind.COMMUNE):
        path = (parent.path if parent else "/") + unit_code + "/"
        return AdminUnit.objects.create(
            code=unit_code, name=f"Đơn vị {unit_code}", kind=kind, parent=parent, path=path
        )

    top = unit(code, kind=AdminUnit.Kind.PROVINCE)
    return unit(f"{code}001", unit(f"{code}0", top, kind=AdminUnit.Kind.DISTRICT))


def partitioned_provinces(codes: Sequence[str] = ("91", "92")) -> dict[str, AdminUnit]:
    """A commune in each of `codes`' new provinces, their partitions prepared (what every
    partition test starts from): {"91": commune 91001, "92": commune 92001}."""
    from phongdich.geo import province

    communes = {code: new_province(code) for code in codes}
    province.prepare_partitions()
    return communes

"""The stock ledger: a balance is the sum of entries, never a stored or edited number."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.supplies import services
from phongdich.supplies.models import StockEntry
from phongdich.supplies.services import balance_of
from phongdich.testing import losers, make_staff, make_world, race, winners

from .builders import item, station, warehouse


def test_receipts_issues_transfers_counts_and_corrections_add_up(world, staff):
    by = staff.district_health_officer_a
    kho, tram = warehouse(world.district_a), station(world.commune_a)
    kit = item("test-nhanh")
    services.stock_receive(by=by, place=kho, item=kit, quantity=1000)
    services.stock_issue(by=by, place=kho, item=kit, quantity=150)
    services.stock_transfer(by=by, source=kho, destination=tram, item=kit, quantity=300)
    assert (balance_of(kho, kit), balance_of(tram, kit)) == (550, 300)
    services.stock_issue(by=by, place=tram, item=kit, quantity=40)
    count = services.stock_count(by=by, place=tram, item=kit, counted=250)  # 10 lost
    assert count.quantity == -10 and count.counted == 250
    assert balance_of(tram, kit) == 250
    wrong = services.stock_receive(by=by, place=kho, item=kit, quantity=500)  # it was 50
    fix = services.stock_correct(by=by, entry=wrong, right_quantity=50, note="Gõ nhầm")
    assert fix.quantity == -450 and fix.corrects == wrong
    assert balance_of(kho, kit) == 600
    wrong.refresh_from_db()
    assert wrong.quantity == 500  # the wrong entry is still there, untouched
    # Correcting again to the same figure changes nothing; to another adds the difference.
    with pytest.raises(ValidationError, match="không cần điều chỉnh"):
        services.stock_correct(by=by, entry=wrong, right_quantity=50, note="lại")
    services.stock_correct(by=by, entry=wrong, right_quantity=60, note="Đếm lại phiếu")
    assert balance_of(kho, kit) == 610
    assert (
        StockEntry.objects.filter(kind="transfer_out").get().transfer
        == StockEntry.objects.get(kind="transfer_in").transfer
    )
    assert (
        AuditEvent.objects.filter(action__startswith="supplies.").count()
        == StockEntry.objects.count()
    )
    assert_kept_balances_match_the_ledger()


def assert_kept_balances_match_the_ledger():
    """The balance kept on write (what the board reads) is the ledger's sum, pair by pair."""
    from django.db.models import Sum

    from phongdich.supplies.models import StockBalance

    summed = {
        (r["place_id"], r["item_id"]): r["total"]
        for r in StockEntry.objects.values("place_id", "item_id").annotate(total=Sum("quantity"))
    }
    kept = {(b.place_id, b.item_id): b.quantity for b in StockBalance.objects.all()}
    assert summed and kept == summed


def test_an_issue_correction_takes_the_sign_of_an_issue(world, staff):
    by = staff.province_admin
    kho, oxy = warehouse(world.district_a), item("oxy-long")
    services.stock_receive(by=by, place=kho, item=oxy, quantity=Decimal("100.5"))
    issue = services.stock_issue(by=by, place=kho, item=oxy, quantity=20)
    services.stock_correct(by=by, entry=issue, right_quantity=25, note="Xuất thực tế 25")
    assert balance_of(kho, oxy) == Decimal("75.5")


def test_entries_are_never_edited_or_deleted(world, staff):
    entry = services.stock_receive(
        by=staff.province_admin, place=warehouse(world.district_a), item=item(), quantity=5
    )
    entry.quantity = 500
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        StockEntry.objects.filter(pk=entry.pk).update(quantity=500)
    with pytest.raises(TypeError):
        StockEntry.objects.all().delete()
    assert StockEntry.objects.get().quantity == 5


@pytest.mark.parametrize(("quantity", "refused"), [(30, False), (Decimal("30.01"), True)])
def test_an_issue_cannot_take_more_than_the_balance(world, staff, quantity, refused):
    kho = warehouse(world.district_a, name="Kho huyện Thành phố")
    cylinders = item("binh-oxy-40l")
    services.stock_receive(by=staff.province_admin, place=kho, item=cylinders, quantity=30)
    if refused:
        with pytest.raises(ValidationError, match="Kho huyện Thành phố chỉ còn 30 bình"):
            services.stock_issue(
                by=staff.province_admin, place=kho, item=cylinders, quantity=quantity
            )
        with pytest.raises(ValidationError, match="chỉ còn 30"):
            services.stock_transfer(
                by=staff.province_admin,
                source=kho,
                destination=station(world.commune_a),
                item=cylinders,
                quantity=quantity,
            )
    else:
        services.stock_issue(by=staff.province_admin, place=kho, item=cylinders, quantity=quantity)
    assert balance_of(kho, cylinders) == (30 if refused else 0)


@pytest.mark.parametrize("bad", [0, -5])
def test_quantities_must_be_positive(world, staff, bad):
    with pytest.raises(ValidationError):
        services.stock_receive(
            by=staff.province_admin, place=warehouse(world.district_a), item=item(), quantity=bad
        )


def test_transfers_and_counts_cannot_be_corrected_by_an_entry(world, staff):
    kho, tram, oxy = warehouse(world.district_a), station(world.commune_a), item()
    services.stock_receive(by=staff.province_admin, place=kho, item=oxy, quantity=10)
    out = services.stock_transfer(
        by=staff.province_admin, source=kho, destination=tram, item=oxy, quantity=5
    )
    with pytest.raises(ValidationError, match="chuyển ngược lại"):
        services.stock_correct(by=staff.province_admin, entry=out, right_quantity=4, note="x")


def test_a_future_entry_does_not_count_in_todays_board(world, staff):
    from phongdich.supplies.models import Place
    from phongdich.supplies.selectors import stock_lines

    kho = warehouse(world.district_a)
    services.stock_receive(by=staff.province_admin, place=kho, item=item(), quantity=10)
    services.stock_receive(
        by=staff.province_admin,
        place=kho,
        item=item(),
        quantity=90,
        occurred_at=timezone.now() + timedelta(days=2),
    )
    (line,) = stock_lines(Place.objects.all())
    assert line.supply.balance == 10


@pytest.mark.django_db(transaction=True)
def test_two_issues_racing_for_the_last_cylinders_one_wins():
    world = make_world()
    staff = make_staff(world)
    kho = warehouse(world.district_b, name="Kho Bỉm Sơn")
    cylinders = item("binh-oxy-40l")
    services.stock_receive(by=staff.province_admin, place=kho, item=cylinders, quantity=3)
    outcomes = race(
        [
            lambda: services.stock_issue(
                by=staff.province_admin, place=kho, item=cylinders, quantity=3
            )
            for _ in range(4)
        ]
    )
    assert len(winners(outcomes)) == 1
    assert all(isinstance(e, ValidationError) for e in losers(outcomes)), losers(outcomes)
    assert balance_of(kho, cylinders) == 0


@pytest.mark.django_db(transaction=True)
def test_receipts_and_transfers_crossing_at_once_keep_the_balance_and_never_deadlock():
    """Receipts into a pair that has no balance row yet, and transfers both ways between
    two places, all at once on PostgreSQL: every movement lands, none waits on another
    forever, and the kept balances equal the ledger."""
    world = make_world()
    staff = make_staff(world)
    kho, tram = warehouse(world.district_a), station(world.commune_a)
    kit, oxy = item("test-nhanh"), item("oxy-long")
    by = staff.province_admin
    services.stock_receive(by=by, place=kho, item=kit, quantity=100)
    services.stock_receive(by=by, place=tram, item=kit, quantity=100)
    calls = [lambda: services.stock_receive(by=by, place=tram, item=oxy, quantity=5)] * 4
    calls += [
        lambda: services.stock_transfer(by=by, source=kho, destination=tram, item=kit, quantity=1)
    ] * 4
    calls += [
        lambda: services.stock_transfer(by=by, source=tram, destination=kho, item=kit, quantity=2)
    ] * 4
    outcomes = race(calls)
    assert not losers(outcomes), losers(outcomes)
    assert balance_of(tram, oxy) == 20
    assert (balance_of(kho, kit), balance_of(tram, kit)) == (104, 96)
    assert_kept_balances_match_the_ledger()

"""Build F0 cases through the real services (STYLE.md: set up state through the actions)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from phongdich.cases import rules, services

_phones = itertools.count(1000000)


def earlier_today(hours: int = 2):
    """A moment `hours` ago, but never before local midnight: a case sampled then is
    diagnosed today in Asia/Ho_Chi_Minh whatever hour the suite runs (at 00:30 local time
    "two hours ago" is yesterday, and the day's figures would not count it)."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(hours=hours), midnight)


def make_case(
    world, by, *, commune=None, birth_year=1980, name="Nguyễn Văn An", id_number="", **extra
):
    phone = f"0912{next(_phones) % 1000000:06d}"
    values = dict(
        by=by,
        person_data=services.PersonData(
            full_name=name, birth_year=birth_year, phone=phone, id_number=id_number
        ),
        commune=commune or world.commune_a,
        evidence=[rules.LabEvidence("pcr", True, earlier_today())],
    )
    values.update(extra)
    case, _created = services.case_register(**values)
    return case


def submit(case, key="k1", **vitals):
    return services.check_submit(case=case, submission_key=key, **vitals)

"""Alerts sent to the person in charge: stock running out within its threshold and sites
nearly full. The boards show them at every visit; this scan (a periodic job) tells the
people responsible once per episode.

The mail carries no personal data: the place with its district, the item, how long the stock
lasts, and a link to the page behind the login."""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role, User
from phongdich.facilities.models import BedType, Facility, FacilityStaff
from phongdich.facilities.selectors import BedFigure
from phongdich.geo.models import AdminUnit
from phongdich.lib.urls import absolute_url

from .models import AlertEpisode, Place
from .selectors import StockLine, stock_lines


def recipients(unit: AdminUnit, facility_id: int | None) -> list[str]:
    """The facility's own accounts, and the health officers of the district the place lies
    in (the province's health officers for a place above any district)."""
    emails = set()
    if facility_id is not None:
        emails.update(
            FacilityStaff.objects.filter(facility_id=facility_id, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    codes = unit.path.strip("/").split("/")
    district_path = "/" + "/".join(codes[:2]) + "/" if len(codes) >= 2 else None
    officers = User.objects.filter(is_active=True, role=Role.HEALTH_OFFICER).filter(~Q(email=""))
    if district_path:
        found = set(
            officers.filter(jurisdiction__path=district_path).values_list("email", flat=True)
        )
    else:
        found = set()
    if not found:
        found = set(
            officers.filter(jurisdiction__path="/" + codes[0] + "/").values_list("email", flat=True)
        )
    emails.update(found)
    return sorted(emails)


def _left(line: StockLine) -> str:
    hours = line.supply.hours_left
    if hours is None or line.supply.balance <= 0:
        return _("đã hết")
    if line.supply.threshold_hours and line.supply.threshold_hours >= 48:
        return _("còn đủ dùng khoảng %(days)s ngày") % {
            "days": f"{hours / 24:.1f}".replace(".", ",")
        }
    return _("còn đủ dùng khoảng %(hours)s giờ") % {"hours": f"{hours:.1f}".replace(".", ",")}


def _where(place_name: str, unit: AdminUnit) -> str:
    return f"{place_name} ({unit.label()})"


def _stock_mail(line: StockLine, emails: list[str]) -> None:
    where = _where(line.place.name, line.place.unit)
    subject = _("[Cảnh báo vật tư] %(item)s tại %(place)s") % {
        "item": line.item.name,
        "place": line.place.name,
    }
    body = "\n\n".join(
        [
            _("%(item)s tại %(place)s %(left)s theo mức dùng 7 ngày qua.")
            % {"item": line.item.name, "place": where, "left": _left(line)},
            absolute_url(reverse("supplies:place", args=[line.place.pk])),
        ]
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)


def _beds_mail(facility: Facility, full: list[BedFigure], emails: list[str]) -> None:
    where = _where(facility.name, facility.unit)
    subject = _("[Cảnh báo giường] %(place)s gần hết giường") % {"place": facility.name}
    lines = [
        _("%(type)s: còn trống %(free)s/%(total)s giường")
        % {"type": f.label, "free": f.free, "total": f.total}
        for f in full
    ]
    body = "\n\n".join(
        [
            _("%(place)s gần hết giường.") % {"place": where},
            "\n".join(lines),
            absolute_url(reverse("facilities:detail", args=[facility.pk])),
        ]
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)


def _open(key: str, now: datetime, emails: list[str], send, **refs) -> bool:
    """Claim the episode (the partial unique index makes a repeated or concurrent scan
    skip it) and send in the same transaction: a failed send rolls the claim back, so the
    next scan tries again."""
    try:
        with transaction.atomic():
            AlertEpisode.objects.create(key=key, opened_at=now, recipients=len(emails), **refs)
            if emails:
                send(emails)
    except IntegrityError:
        return False
    return True


def alerts_scan(*, now: datetime | None = None) -> dict:
    """Open an episode (and send its one notice) for each new alert, close the episodes
    whose condition no longer holds."""
    now = now or timezone.now()
    current: dict[str, tuple] = {}
    places = Place.objects.select_related("unit__parent", "facility")
    for line in stock_lines(places, now=now):
        if line.supply.alert:
            current[f"stock:{line.place.pk}:{line.item.pk}"] = ("stock", line)
    for facility in Facility.objects.filter(is_active=True).select_related("unit__parent"):
        full = [
            f
            for t in BedType
            if (f := BedFigure(t.value, t.label, *facility.beds(t.value))).near_full
        ]
        if full:
            current[f"beds:{facility.pk}"] = ("beds", facility, full)

    open_keys = set(
        AlertEpisode.objects.filter(closed_at__isnull=True).values_list("key", flat=True)
    )
    cleared = open_keys - set(current)
    closed = AlertEpisode.objects.filter(closed_at__isnull=True, key__in=cleared).update(
        closed_at=now
    )
    sent = 0
    for key in sorted(set(current) - open_keys):
        entry = current[key]
        if entry[0] == "stock":
            line = entry[1]
            emails = recipients(line.place.unit, line.place.facility_id)
            opened = _open(
                key,
                now,
                emails,
                lambda e, line=line: _stock_mail(line, e),
                kind=AlertEpisode.Kind.STOCK,
                place=line.place,
                item=line.item,
            )
        else:
            facility, full = entry[1], entry[2]
            emails = recipients(facility.unit, facility.pk)
            opened = _open(
                key,
                now,
                emails,
                lambda e, facility=facility, full=full: _beds_mail(facility, full, e),
                kind=AlertEpisode.Kind.BEDS,
                facility=facility,
            )
        sent += bool(opened and emails)
    return {"opened": len(set(current) - open_keys), "closed": closed, "sent": sent}

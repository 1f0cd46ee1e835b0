"""What matters at the checkpoint: epidemic areas, decision rules, quarantine policies and the
assessment of one declaration."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency
from phongdich.lib.text import nfc

from .. import rules
from ..models import (
    DecisionRuleRow,
    Declaration,
    EpidemicArea,
    QuarantineGroupRow,
    QuarantinePolicyRow,
)
from .common import home_province

# --- epidemic areas ---


@idempotency.submitted_once(EpidemicArea)
@transaction.atomic
def epidemic_area_add(
    *, by, unit, level: int, valid_from, valid_to=None, note="", submission=None
) -> EpidemicArea:
    if valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc trước ngày bắt đầu.")})
    area = EpidemicArea.objects.create(
        unit=unit,
        level=level,
        valid_from=valid_from,
        valid_to=valid_to,
        note=nfc(note),
        **idempotency.fields(submission),
    )
    audit_record(actor=by, action="checkpoints.epidemic_area_add", target=area)
    return area


@transaction.atomic
def epidemic_area_end(*, by, area: EpidemicArea, on) -> EpidemicArea:
    area.valid_to = on
    area.save(update_fields=["valid_to"])
    audit_record(actor=by, action="checkpoints.epidemic_area_end", target=area)
    return area


# --- what matters at the checkpoint --------------------------------------------------------


def area_level_for(origin: AdminUnit | None, on: date) -> EpidemicArea | None:
    """The highest-level listed epidemic area containing `origin` on `on`."""
    if origin is None:
        return None
    prefixes = [
        "/".join(origin.path.split("/")[: i + 1]) + "/" for i in range(1, origin.path.count("/"))
    ]
    areas = (
        EpidemicArea.objects.filter(unit__path__in=prefixes, valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .select_related("unit")
    )
    return max(areas, key=lambda a: a.level, default=None)


def decision_rules() -> tuple[rules.DecisionRule, ...]:
    """The province's table (seeded from `rules.DECISION_RULES`, edited on the policy pages)
    when it has active rows, else the built-in default. One query per assessment: cheap
    enough not to cache, and every worker sees an edit at once."""
    rows = [row.as_rule() for row in DecisionRuleRow.objects.filter(active=True)]
    return tuple(rows) or rules.DECISION_RULES


def _as_policy(row: QuarantinePolicyRow, groups) -> rules.QuarantinePolicy:
    return rules.QuarantinePolicy(
        key=row.key,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.regulation,
        summary=row.summary,
        groups=tuple(group.as_group() for group in groups),
        counted_from=row.counted_from,
        unconfirmed=not row.confirmed,
    )


def quarantine_policies(*, include_inactive: bool = False) -> tuple[rules.QuarantinePolicy, ...]:
    """The province's dated quarantine rows (seeded from `rules.QUARANTINE_POLICIES`, edited
    on the policy pages), each with its active groups in order, as plain rule values.

    Two queries; `include_inactive` also returns deactivated rows, for showing the rule a
    quarantine already started under. With no rows at all, the built-in table.
    """
    rows = list(QuarantinePolicyRow.objects.all())
    if not rows:
        # A database that was never seeded (or was emptied) still has the built-in rules;
        # rows that exist but are all deactivated mean the province wants none.
        return rules.QUARANTINE_POLICIES
    policies = [row for row in rows if include_inactive or row.active]
    groups = QuarantineGroupRow.objects.filter(
        active=True, policy_id__in=[row.pk for row in policies]
    ).order_by("position", "pk")
    by_policy: dict[int, list] = {}
    for group in groups:
        by_policy.setdefault(group.policy_id, []).append(group)
    return tuple(_as_policy(row, by_policy.get(row.pk, [])) for row in policies)


def quarantine_policy(key: str) -> rules.QuarantinePolicy | None:
    """One quarantine rule by key, active or not (a quarantine keeps the rule it began under)."""
    return rules.policy_by_key(key, quarantine_policies(include_inactive=True)) if key else None


@dataclass
class Assessment:
    facts: rules.Facts
    suggestion: rules.Suggestion
    area: EpidemicArea | None
    test_age_hours: float | None


def assess(
    declaration: Declaration, *, temperature: float | None = None, province=None, now=None
) -> Assessment:
    now = now or timezone.now()
    area = area_level_for(declaration.origin, timezone.localdate(now))
    age = (
        (now - declaration.test_taken_at).total_seconds() / 3600
        if declaration.test_taken_at
        else None
    )
    commune = declaration.destination_commune
    province = province or home_province()
    in_province = commune is not None and (
        province is None or commune.path.startswith(province.path)
    )
    facts = rules.Facts(
        area_level=area.level if area else None,
        symptoms=declaration.has_symptoms,
        temperature=temperature,
        test_result=declaration.test_result,
        test_age_hours=age,
        doses=declaration.vaccine_doses,
        destination_in_province=in_province,
    )
    return Assessment(facts, rules.suggest_decision(facts, decision_rules()), area, age)

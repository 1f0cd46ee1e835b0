"""The unit directory: units seeded from the province's tree, aliases, proposals from
extraction, reporter memberships and officials."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency

from .. import directory
from ..models import (
    Official,
    OfficialAlias,
    OrgUnit,
    OrgUnitAlias,
    ReporterMembership,
    UnitProposal,
    unit_key,
)
from ..overview import figures_changed


@transaction.atomic
def units_seed(*, by, province: AdminUnit) -> dict:
    """Seed the directory: the usual provincial bodies, then 'UBND <name>' for every district
    and commune of `province` present in geo. Idempotent: existing units are kept."""
    counts = {"bodies": 0, "districts": 0, "communes": 0}
    known_keys = set(OrgUnitAlias.objects.values_list("key", flat=True))
    for name, kind, aliases in directory.PROVINCIAL_BODIES:
        if unit_key(name) in known_keys:
            continue
        unit = directory.add_unit(name, kind, aliases, admin_unit=province)
        known_keys.update(a.key for a in unit.aliases.all())
        counts["bodies"] += 1
    linked = set(
        OrgUnit.objects.filter(admin_unit__isnull=False).values_list("admin_unit_id", flat=True)
    )
    districts = list(
        AdminUnit.objects.filter(parent=province, kind=AdminUnit.Kind.DISTRICT).order_by("path")
    )
    new_districts = [
        OrgUnit(name=f"UBND {d.name}", kind=OrgUnit.Kind.DISTRICT, admin_unit=d)
        for d in districts
        if d.pk not in linked
    ]
    OrgUnit.objects.bulk_create(new_districts)
    counts["districts"] = len(new_districts)
    by_admin = {
        u.admin_unit_id: u
        for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT, admin_unit__in=districts)
    }
    communes = list(
        AdminUnit.objects.filter(
            path__startswith=province.path, kind=AdminUnit.Kind.COMMUNE
        ).select_related("parent")
    )
    new_communes = [
        OrgUnit(
            name=f"UBND {c.name}",
            kind=OrgUnit.Kind.COMMUNE,
            admin_unit=c,
            parent=by_admin.get(c.parent_id),
        )
        for c in communes
        if c.pk not in linked
    ]
    OrgUnit.objects.bulk_create(new_communes, batch_size=500)
    counts["communes"] = len(new_communes)
    # Aliases in one pass; a name two communes share keeps only its "…, <district>" form.
    aliases = []
    new_ids = [u.admin_unit_id for u in new_districts + new_communes]
    for unit in OrgUnit.objects.filter(admin_unit_id__in=new_ids).select_related(
        "admin_unit__parent"
    ):
        place = unit.admin_unit
        texts = [unit.name, f"Ủy ban nhân dân {place.name}"]
        if unit.kind == OrgUnit.Kind.DISTRICT:
            texts.append(place.name)
        else:
            texts = [f"{t}, {place.parent.name}" for t in texts] + texts
        for text in texts:
            key = unit_key(text)
            if key not in known_keys:
                known_keys.add(key)
                aliases.append(OrgUnitAlias(unit=unit, text=text, key=key))
    OrgUnitAlias.objects.bulk_create(aliases, batch_size=1000)
    audit_record(actor=by, action="directives.units_seed", target=province, changes=counts)
    return counts


@transaction.atomic
def unit_alias_add(*, by, unit: OrgUnit, text: str) -> OrgUnitAlias:
    key = unit_key(text)
    if not key:
        raise ValidationError(_("Tên gọi trống."))
    if OrgUnitAlias.objects.filter(key=key).exists():
        raise ValidationError(_("Tên gọi này đã thuộc về một đơn vị."))
    alias = OrgUnitAlias.objects.create(unit=unit, text=text.strip())
    _attach_pending(key, unit)
    audit_record(actor=by, action="directives.alias_add", target=unit, changes={"alias": text})
    return alias


def _attach_pending(key: str, unit: OrgUnit, official: Official | None = None) -> None:
    """Assignments that were waiting on this name now point at the unit."""
    for proposal in UnitProposal.objects.filter(key=key, status=UnitProposal.Status.PENDING):
        proposal.assignments.filter(unit__isnull=True).update(unit=unit, official=official)
    figures_changed()  # confirmed tasks waiting on the name now count for the unit


def _proposal_locked(proposal: UnitProposal) -> UnitProposal:
    # Re-read under the row lock: two clerks (or one double click) resolving the same name
    # at once would otherwise both see it pending and create two units for it.
    return UnitProposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def proposal_accept(*, by, proposal: UnitProposal, name: str, kind: str) -> OrgUnit:
    """Create the proposed unit (clerk may tidy its name) with the proposed text as alias."""
    proposal = _proposal_locked(proposal)
    if proposal.status != UnitProposal.Status.PENDING:
        raise ValidationError(_("Đề xuất này đã được xử lý."))
    if kind not in OrgUnit.Kind.values:
        raise ValidationError(_("Loại đơn vị không hợp lệ."))
    unit = directory.add_unit(name.strip() or proposal.name, kind, [proposal.name])
    proposal.assignments.filter(unit__isnull=True).update(unit=unit)
    figures_changed()
    proposal.status, proposal.unit = UnitProposal.Status.ACCEPTED, unit
    proposal.save(update_fields=["status", "unit"])
    audit_record(actor=by, action="directives.proposal_accept", target=unit)
    return unit


@transaction.atomic
def proposal_map(*, by, proposal: UnitProposal, unit: OrgUnit) -> UnitProposal:
    """The name is another way of writing an existing unit (or a person who reports via it)."""
    proposal = _proposal_locked(proposal)
    if proposal.status != UnitProposal.Status.PENDING:
        raise ValidationError(_("Đề xuất này đã được xử lý."))
    official = None
    if proposal.is_person:
        name = re.sub(r"^(?:đồng chí|Đồng chí|ông|bà|Giáo sư|GS\.?)\s+", "", proposal.name)
        official = directory.add_official(name, "", unit, [proposal.name])
    elif not OrgUnitAlias.objects.filter(key=proposal.key).exists():
        OrgUnitAlias.objects.create(unit=unit, text=proposal.name)
    proposal.assignments.filter(unit__isnull=True).update(unit=unit, official=official)
    figures_changed()
    proposal.status, proposal.unit = UnitProposal.Status.MAPPED, unit
    proposal.save(update_fields=["status", "unit"])
    audit_record(
        actor=by, action="directives.proposal_map", target=proposal, changes={"unit": unit.pk}
    )
    return proposal


@transaction.atomic
def proposal_ignore(*, by, proposal: UnitProposal) -> UnitProposal:
    proposal.status = UnitProposal.Status.IGNORED
    proposal.save(update_fields=["status"])
    audit_record(actor=by, action="directives.proposal_ignore", target=proposal)
    return proposal


@transaction.atomic
def membership_add(*, by, user, unit: OrgUnit) -> ReporterMembership:
    if not user.has_role(Role.UNIT_REPORTER):
        raise ValidationError(_("Chỉ gán được tài khoản có vai trò báo cáo của đơn vị."))
    # A district's reporter must not end up reporting for another district: the unit's
    # place has to lie inside the account's jurisdiction.
    if unit.admin_unit_id and not unit.admin_unit.is_within(user.jurisdiction):
        raise ValidationError(_("Đơn vị này nằm ngoài địa bàn của tài khoản."))
    membership, _created = ReporterMembership.objects.get_or_create(user=user, unit=unit)
    audit_record(
        actor=by, action="directives.membership_add", target=unit, changes={"user": user.pk}
    )
    return membership


@transaction.atomic
def membership_link_by_organisation(*, by, user) -> ReporterMembership | None:
    """Link a reporter to the unit their free-text `organisation` names, if it resolves."""
    alias = OrgUnitAlias.objects.filter(key=unit_key(user.organisation or "")).first()
    if alias is None:
        return None
    return membership_add(by=by, user=user, unit=alias.unit)


@idempotency.submitted_once(Official)
def official_add(
    *,
    by,
    name: str,
    title: str,
    org: OrgUnit | None,
    aliases=(),
    submission: idempotency.Submission | None = None,
) -> Official:
    """Add a named official; the same submission sent twice adds them once."""
    with transaction.atomic():
        official = directory.add_official(
            name, title, org, aliases, **idempotency.fields(submission)
        )
        if org is not None:
            for alias in OfficialAlias.objects.filter(official=official):
                _attach_pending(alias.key, org, official)
        audit_record(actor=by, action="directives.official_add", target=official)
    return official

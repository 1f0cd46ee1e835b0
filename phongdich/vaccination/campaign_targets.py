"""Bulk targets for a campaign: one row per unit (unit code, target people, answerable
official and title), CSV or XLSX through lib/imports (any column order, with or without
diacritics), a line-numbered report, keep the good rows or refuse the whole file.

A unit must lie in the importer's jurisdiction and the campaign's province (the same rule
as campaigns.campaign_target_set); writes are one upsert per batch on the (campaign, unit)
unique constraint, under the campaign's row lock, so a re-import updates the same rows."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import imports

from .campaigns import _check_manage
from .models import Campaign, CampaignTarget

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
TARGET_MAX = 10**8
FILE_LABEL = _lazy("Tệp chỉ tiêu theo đơn vị (.xlsx hoặc .csv)")


def columns() -> list[imports.Column]:
    return [
        imports.Column(
            "code",
            _("Mã đơn vị"),
            headers=("mã", "mã đơn vị", "mã đvhc", "mã xã", "mã huyện", "code"),
            required=True,
            max_length=imports.model_max_length(AdminUnit, "code"),
        ),
        imports.Column(
            "target",
            _("Chỉ tiêu (người)"),
            headers=("chỉ tiêu", "chỉ tiêu (người)", "số người", "target"),
            required=True,
            parse=imports.parse_count,
        ),
        imports.Column(
            "official_name",
            _("Người chịu trách nhiệm"),
            headers=("người chịu trách nhiệm", "người phụ trách", "họ và tên", "official"),
            required=True,
            max_length=imports.model_max_length(CampaignTarget, "official_name"),
        ),
        imports.Column(
            "official_title",
            _("Chức vụ"),
            headers=("chức vụ", "title"),
            max_length=imports.model_max_length(CampaignTarget, "official_title"),
        ),
    ]


@dataclass
class TargetImport(imports.ImportOutcome):
    saved: int = 0


def _write(campaign, rows, units) -> None:
    latest = {units[r.values["code"]]: r for r in rows}  # a unit twice: its last row
    CampaignTarget.objects.bulk_create(
        [
            CampaignTarget(
                campaign=campaign,
                unit_id=unit_id,
                target=r.values["target"],
                official_name=r.values["official_name"].strip(),
                official_title=(r.values["official_title"] or "").strip(),
            )
            for unit_id, r in latest.items()
        ],
        update_conflicts=True,
        unique_fields=["campaign", "unit"],
        update_fields=["target", "official_name", "official_title", "updated_at"],
    )


def campaign_target_import(
    *, by, campaign: Campaign, upload, all_or_nothing: bool = False
) -> TargetImport:
    _check_manage(by, campaign)
    kind = imports.check_upload(upload, max_bytes=MAX_BYTES)
    result = TargetImport()
    mode = imports.ALL_OR_NOTHING if all_or_nothing else imports.KEEP_GOOD
    scope = by.jurisdiction.path
    # Units a target may name: the importer's and the campaign's, districts and communes.
    units = dict(
        AdminUnit.objects.filter(path__startswith=scope)
        .filter(path__startswith=campaign.province.path)
        .values_list("code", "pk")
    )

    def check(row: imports.Row) -> None:
        code = row.values.get("code")
        if code and code not in units:
            row.errors.append(
                _("Mã đơn vị: không có đơn vị mã %(code)s trong địa bàn của bạn") % {"code": code}
            )
        target = row.values.get("target")
        if target is not None and target > TARGET_MAX:
            row.errors.append(_("Chỉ tiêu (người): quá lớn"))

    try:
        table = imports.read_table(upload, columns(), kind=kind, max_rows=MAX_ROWS, check=check)
        result.errors = table.report
        imports.refuse_if_rows_failed(table, mode)
        with transaction.atomic():
            locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
            result.saved = imports.write_rows(
                table.rows,
                lambda row: _write(locked, [row], units),
                write_many=lambda rows: _write(locked, rows, units),
                mode=mode,
                report=table.report,
            )
            audit_record(
                actor=by,
                action="vaccination.campaign.target_import",
                target=locked,
                changes={"file": upload.name, "saved": result.saved, "errors": table.report.total},
            )
    except imports.FileRefused as exc:
        result.saved = 0
        result.refusal = exc.messages[0]
        if exc.report is not None:
            result.errors = exc.report
    return result

"""Risk groups stored per person (comorbidity, pregnancy, health workers, teachers, workers of
a named enterprise), from a source and a day, and their import through lib.imports.

The import never creates a person nor guesses one: a row names someone already in the
registry of the importer's jurisdiction, by CCCD, else by name + birth year in the commune
when exactly one resident matches; any other row is a line error. Lookups and the write are
set-based (one query per kind of lookup, one upsert per batch), whatever the file's size."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.audit.services import audit_record
from phongdich.geo.selectors import communes_within
from phongdich.lib import imports
from phongdich.lib.identity import validate_id_number
from phongdich.lib.text import fold, name_key
from phongdich.people.models import Person

from .models import RiskFlag, RiskGroup

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000

# The words a file may use for a group (folded: without diacritics, lower case).
GROUP_WORDS = {
    **{fold(str(label)): value for value, label in RiskGroup.choices},
    **{value: value for value in RiskGroup.values},
    "benh nen": RiskGroup.COMORBIDITY,
    "co benh nen": RiskGroup.COMORBIDITY,
    "mang thai": RiskGroup.PREGNANT,
    "co thai": RiskGroup.PREGNANT,
    "phu nu mang thai": RiskGroup.PREGNANT,
    "y te": RiskGroup.HEALTH_WORKER,
    "can bo y te": RiskGroup.HEALTH_WORKER,
    "giao vien": RiskGroup.TEACHER,
    "cong nhan": RiskGroup.ENTERPRISE,
    "doanh nghiep": RiskGroup.ENTERPRISE,
    "nguoi lao dong": RiskGroup.ENTERPRISE,
}


def _check_scope(by, person: Person) -> None:
    if not scope_to_jurisdiction(Person.objects.filter(pk=person.pk), by, "commune").exists():
        raise PermissionDenied(_("Người này không thuộc địa bàn của bạn."))


def _validate(group: str, enterprise: str, since: date, until: date | None) -> None:
    if group not in RiskGroup.values:
        raise ValidationError(_("Nhóm nguy cơ không hợp lệ."))
    if group == RiskGroup.ENTERPRISE and not enterprise:
        raise ValidationError(_("Cần ghi tên doanh nghiệp."))
    if until is not None and until < since:
        raise ValidationError(_("Ngày kết thúc trước ngày bắt đầu."))


@transaction.atomic
def risk_flag_set(
    *,
    by,
    person: Person,
    group: str,
    source: str,
    since: date,
    enterprise: str = "",
    until: date | None = None,
) -> tuple[RiskFlag, bool]:
    """Record that `person` is in `group` (one flag per person, group and enterprise: the
    unique constraint makes two simultaneous saves one flag, the later values kept)."""
    _check_scope(by, person)
    enterprise = enterprise if group == RiskGroup.ENTERPRISE else ""
    _validate(group, enterprise, since, until)
    flag, created = RiskFlag.objects.update_or_create(
        person=person,
        group=group,
        enterprise=enterprise,
        defaults={"source": source, "since": since, "until": until, "recorded_by": by},
    )
    audit_record(
        actor=by,
        action="vaccination.risk_flag",
        target=person,
        changes={"group": group, "enterprise": enterprise, "source": source},
    )
    return flag, created


@transaction.atomic
def risk_flag_end(*, by, flag: RiskFlag, until: date) -> RiskFlag:
    """The person left the group on `until` (a pregnancy over, a worker who left the
    enterprise): the flag stays, for the days it held, and stops counting after them."""
    flag = RiskFlag.objects.select_for_update(of=("self",)).select_related("person").get(pk=flag.pk)
    _check_scope(by, flag.person)
    if flag.until is not None:
        # The page offers "end" only on an open flag: a flag ended meanwhile (a second
        # click, or a colleague at the same time — the row lock above serialises them) is
        # not moved again, so one end is recorded and audited.
        raise ValidationError(
            _("Nhóm nguy cơ này đã được ghi kết thúc từ ngày %(day)s.")
            % {"day": flag.until.strftime("%d/%m/%Y")}
        )
    _validate(flag.group, flag.enterprise, flag.since, until)
    before = flag.until
    flag.until = until
    flag.save(update_fields=["until"])
    audit_record(
        actor=by,
        action="vaccination.risk_flag_end",
        target=flag.person,
        changes={
            "group": flag.group,
            "until": [before.isoformat() if before else None, until.isoformat()],
        },
    )
    return flag


def person_flags(person: Person) -> list[RiskFlag]:
    """A person's risk groups for their record page (the caller has checked the scope)."""
    return list(RiskFlag.objects.filter(person=person).order_by("-since", "group", "pk"))


def flags_visible_to(user):
    return scope_to_jurisdiction(RiskFlag.objects.all(), user, "person__commune")


def group_counts(user) -> dict[str, int]:
    from django.db.models import Count

    return dict(
        flags_visible_to(user).values("group").annotate(n=Count("pk")).values_list("group", "n")
    )


# --- import --------------------------------------------------------------------------------


@dataclass
class RiskImport(imports.ImportOutcome):
    saved: int = 0


def _parse_group(text: str) -> str:
    found = GROUP_WORDS.get(fold(text).strip())
    if found is None:
        raise ValueError(_("không rõ nhóm nào"))
    return found


def _parse_year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4 and 1900 <= int(text) <= timezone.localdate().year):
        raise ValueError(_("phải là năm từ 1900 đến nay"))
    return int(text)


def _parse_id(text: str) -> str:
    validate_id_number(text)
    return text


def columns() -> list[imports.Column]:
    return [
        imports.Column(
            "id_number",
            _("CCCD"),
            headers=("cccd", "cmnd", "cccd/cmnd", "số cccd"),
            max_length=12,
            parse=_parse_id,
        ),
        imports.Column(
            "full_name", _("Họ và tên"), headers=("họ và tên", "họ tên", "tên"), max_length=120
        ),
        imports.Column("birth_year", _("Năm sinh"), headers=("năm sinh",), parse=_parse_year),
        imports.Column(
            "commune_code", _("Mã xã"), headers=("mã xã", "mã xã/phường"), max_length=10
        ),
        imports.Column(
            "group",
            _("Nhóm nguy cơ"),
            headers=("nhóm nguy cơ", "nhóm"),
            required=True,
            parse=_parse_group,
        ),
        imports.Column(
            "enterprise",
            _("Tên doanh nghiệp"),
            headers=("tên doanh nghiệp", "doanh nghiệp", "nơi làm việc"),
            max_length=imports.model_max_length(RiskFlag, "enterprise"),
        ),
        imports.Column(
            "source",
            _("Nguồn"),
            headers=("nguồn", "nguồn số liệu"),
            required=True,
            max_length=imports.model_max_length(RiskFlag, "source"),
        ),
        imports.Column(
            "since",
            _("Từ ngày"),
            headers=("từ ngày", "ngày ghi nhận"),
            required=True,
            parse=imports.parse_date,
        ),
        imports.Column("until", _("Đến ngày"), headers=("đến ngày",), parse=imports.parse_date),
    ]


def risk_import(*, by, upload, all_or_nothing: bool = False) -> RiskImport:
    """Import risk flags; bad rows are reported by line (keep good rows, or refuse all)."""
    kind = imports.check_upload(upload, max_bytes=MAX_BYTES)
    result = RiskImport()
    mode = imports.ALL_OR_NOTHING if all_or_nothing else imports.KEEP_GOOD
    communes = {c.code.zfill(5): c for c in communes_within(by.jurisdiction)}
    try:
        table = imports.read_table(upload, columns(), kind=kind, max_rows=MAX_ROWS)
        people = _people_for(by, table.rows, communes)
        for row in table.rows:
            row.values["person"] = people.get(row.line)
            if row.values["person"] is None:
                row.errors.append(
                    _(
                        "Không tìm thấy đúng một người trong danh sách dân cư "
                        "của địa bàn (CCCD, hoặc họ tên + năm sinh + mã xã)"
                    )
                )
            group, enterprise = row.values["group"], row.values["enterprise"]
            if group == RiskGroup.ENTERPRISE and not enterprise:
                row.errors.append(_("Tên doanh nghiệp: bắt buộc với nhóm người lao động"))
            until = row.values["until"]
            if until is not None and until < row.values["since"]:
                row.errors.append(_("Đến ngày: trước ngày bắt đầu"))
            if row.errors:
                table.report.add(row.line, row.errors)
        table.rows = [r for r in table.rows if not r.errors]
        result.errors = table.report
        imports.refuse_if_rows_failed(table, mode)

        def write_many(rows):
            # One flag per (person, group, enterprise): a re-import updates it.
            latest = {}
            for row in rows:
                enterprise = (
                    row.values["enterprise"] if row.values["group"] == RiskGroup.ENTERPRISE else ""
                )
                latest[(row.values["person"].pk, row.values["group"], enterprise)] = row
            RiskFlag.objects.bulk_create(
                [
                    RiskFlag(
                        person_id=person_id,
                        group=group,
                        enterprise=enterprise,
                        source=row.values["source"],
                        since=row.values["since"],
                        until=row.values["until"],
                        recorded_by=by,
                    )
                    for (person_id, group, enterprise), row in latest.items()
                ],
                update_conflicts=True,
                unique_fields=["person", "group", "enterprise"],
                update_fields=["source", "since", "until", "recorded_by"],
            )

        with transaction.atomic():
            result.saved = imports.write_rows(
                table.rows,
                lambda row: write_many([row]),
                write_many=write_many,
                mode=mode,
                report=table.report,
            )
            audit_record(
                actor=by,
                action="vaccination.risk_import",
                changes={"file": upload.name, "saved": result.saved, "errors": table.report.total},
            )
    except imports.FileRefused as exc:
        result.saved = 0
        result.refusal = exc.messages[0]
        if exc.report is not None:
            result.errors = exc.report
    return result


def _people_for(by, rows, communes) -> dict[int, Person]:
    """line -> the one person of the jurisdiction the row names (two queries in all)."""
    residents = scope_to_jurisdiction(
        Person.objects.filter(merged_into__isnull=True), by, "commune"
    )
    ids = {r.values["id_number"] for r in rows if r.values.get("id_number")}
    by_id: dict[str, list[Person]] = {}
    for p in residents.filter(id_number__in=ids):
        by_id.setdefault(p.id_number, []).append(p)
    keyed = {}
    for r in rows:
        if r.values.get("id_number") or not r.values.get("full_name"):
            continue
        commune = communes.get((r.values.get("commune_code") or "").zfill(5))
        if commune and r.values.get("birth_year"):
            keyed[r.line] = (commune.pk, name_key(r.values["full_name"]), r.values["birth_year"])
    by_name: dict[tuple, list[Person]] = {}
    if keyed:
        wanted_names = {k[1] for k in keyed.values()}
        wanted_communes = {k[0] for k in keyed.values()}
        for p in residents.filter(name_key__in=wanted_names, commune_id__in=wanted_communes):
            by_name.setdefault((p.commune_id, p.name_key, p.birth_year), []).append(p)
    found = {}
    for r in rows:
        candidates = by_id.get(r.values.get("id_number")) if r.values.get("id_number") else None
        if candidates is None and r.line in keyed:
            candidates = by_name.get(keyed[r.line])
        if candidates and len(candidates) == 1:
            found[r.line] = candidates[0]
    return found

"""Returnee forecasts: import from associations and matching to declarations."""

from django.db import transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency, imports
from phongdich.lib.identity import normalize_phone
from phongdich.lib.text import name_key, nfc

from ..models import (
    Declaration,
    ForecastImport,
    Passage,
    ReturneeForecast,
)

# --- returnee forecasts ---------------------------------------------------------------------

FORECAST_MAX_BYTES = 5 * 1024 * 1024
# An association's list runs to a few thousand people; the cap bounds the work a file can ask.
FORECAST_MAX_ROWS = 10_000


def forecast_columns() -> list[imports.Column]:
    """The columns of a forecast list; header words are matched without diacritics."""
    return [
        imports.Column(
            "full_name",
            _("Họ và tên"),
            headers=("họ và tên", "họ tên"),
            required=True,
            max_length=imports.model_max_length(ReturneeForecast, "full_name"),
        ),
        imports.Column(
            "phone",
            _("Số điện thoại"),
            headers=("số điện thoại", "điện thoại", "sđt"),
            max_length=20,
            parse=normalize_phone,
        ),
        imports.Column(
            "origin_text",
            _("Nơi đi"),
            headers=("nơi đi",),
            max_length=imports.model_max_length(ReturneeForecast, "origin_text"),
        ),
        imports.Column(
            "commune_code",
            _("Mã xã nơi đến"),
            headers=("mã xã nơi đến", "mã xã"),
            required=True,
            max_length=imports.model_max_length(AdminUnit, "code"),
        ),
        imports.Column(
            "expected_date",
            _("Ngày dự kiến về"),
            headers=("ngày dự kiến về", "ngày về"),
            required=True,
            parse=imports.parse_date,
        ),
    ]


FORECAST_HEADER = ["họ và tên", "số điện thoại", "nơi đi", "mã xã nơi đến", "ngày dự kiến về"]


def forecast_import(
    *,
    by,
    upload,
    source_association: str,
    keep_good_rows: bool,
    submission: idempotency.Submission | None = None,
) -> ForecastImport:
    """Import a hometown association's list (.xlsx or .csv). Each bad row is reported with
    its line number; `keep_good_rows=False` refuses the whole file when any row is bad.

    Raises imports.FileRefused for a refused file; when rows were read, the refusal and its
    report are stored as a ForecastImport too (`exc.batch`), so the page can show them."""
    source_association = nfc(source_association)[:200]
    mode = imports.KEEP_GOOD if keep_good_rows else imports.ALL_OR_NOTHING
    units: dict[str, AdminUnit | None] = {}

    def check(row: imports.Row) -> None:
        code = row.values.get("commune_code")
        if code:
            if code not in units:
                units[code] = AdminUnit.objects.filter(
                    code=code, kind=AdminUnit.Kind.COMMUNE
                ).first()
            if units[code] is None:
                row.errors.append(_("Mã xã nơi đến: không có xã mã %(code)s") % {"code": code})

    def forecast(row: imports.Row) -> ReturneeForecast:
        values = row.values
        return ReturneeForecast(
            batch=batch,
            full_name=values["full_name"],
            name_key=name_key(values["full_name"]),
            phone=values["phone"] or "",
            origin_text=values["origin_text"],
            destination_commune=units[values["commune_code"]],
            expected_date=values["expected_date"],
            source_association=source_association,
        )

    batch = None

    # Once per submission: a double-posted file is one batch. A refused file is stored
    # outside this savepoint (below), so its report survives the refusal.
    @idempotency.submitted_once(ForecastImport)
    def write(submission):
        nonlocal batch
        kind = imports.check_upload(upload, max_bytes=FORECAST_MAX_BYTES)
        table = imports.read_table(
            upload,
            forecast_columns(),
            kind=kind,
            max_rows=FORECAST_MAX_ROWS,
            header="optional",
            check=check,
        )
        imports.refuse_if_rows_failed(table, mode)
        with transaction.atomic():
            batch = ForecastImport.objects.create(
                source_association=source_association,
                file_name=upload.name[:200],
                rows_total=table.total,
                by=by,
                **idempotency.fields(submission),
            )
            batch.rows_imported = imports.write_rows(
                table.rows,
                lambda row: forecast(row).save(),
                write_many=lambda rows: ReturneeForecast.objects.bulk_create(
                    [forecast(row) for row in rows]
                ),
                mode=mode,
                report=table.report,
            )
            batch.errors, batch.errors_total = table.report.entries, table.report.total
            batch.save(update_fields=["rows_imported", "errors", "errors_total"])
            forecast_match(batch=batch)
            audit_record(
                actor=by,
                action="checkpoints.forecast_import",
                target=batch,
                changes={"rows": batch.rows_imported, "errors": batch.errors_total},
            )
        return batch

    try:
        return write(submission=submission)
    except imports.FileRefused as exc:
        exc.batch = None
        if exc.report is not None:
            exc.batch = _forecast_refused(by, upload.name, source_association, exc)
        raise


def _forecast_refused(by, file_name: str, source_association: str, exc) -> ForecastImport:
    batch = ForecastImport.objects.create(
        source_association=source_association,
        file_name=file_name[:200],
        refusal=exc.messages[0][:300],
        errors=exc.report.entries,
        errors_total=exc.report.total,
        by=by,
    )
    audit_record(
        actor=by,
        action="checkpoints.forecast_refuse",
        target=batch,
        changes={"errors": batch.errors_total},
    )
    return batch


def forecast_match(*, batch: ForecastImport | None = None) -> int:
    """Link forecast rows to declarations by phone, else by folded name + destination (the
    newest declaration, and its newest passage). Set-based, so a 10,000-row list costs a
    few queries per 1,000 rows rather than two per row."""
    qs = ReturneeForecast.objects.filter(matched_declaration__isnull=True)
    if batch is not None:
        qs = qs.filter(batch=batch)
    rows = list(qs.only("pk", "phone", "name_key", "destination_commune_id").order_by("pk"))
    matched = []
    for start in range(0, len(rows), FORECAST_MATCH_CHUNK):
        matched += _forecast_match_chunk(rows[start : start + FORECAST_MATCH_CHUNK])
    ReturneeForecast.objects.bulk_update(
        matched, ["matched_declaration", "matched_passage"], batch_size=1000
    )
    return len(matched)


FORECAST_MATCH_CHUNK = 1000  # bounds the IN lists below on both databases


def _forecast_match_chunk(rows: list[ReturneeForecast]) -> list[ReturneeForecast]:
    declarations = Declaration.objects.filter(
        destination_commune__in={r.destination_commune_id for r in rows}
    ).order_by("-created_at", "-pk")
    by_phone: dict[tuple, int] = {}
    phones = {r.phone for r in rows if r.phone}
    for pk, commune, phone in declarations.filter(phone__in=phones).values_list(
        "pk", "destination_commune_id", "phone"
    ):
        by_phone.setdefault((commune, phone), pk)
    by_name: dict[tuple, int] = {}
    for pk, commune, key in declarations.filter(
        person__name_key__in={r.name_key for r in rows}
    ).values_list("pk", "destination_commune_id", "person__name_key"):
        by_name.setdefault((commune, key), pk)
    matched = []
    for row in rows:
        found = by_phone.get((row.destination_commune_id, row.phone)) if row.phone else None
        if found is None:
            found = by_name.get((row.destination_commune_id, row.name_key))
        if found is not None:
            row.matched_declaration_id = found
            matched.append(row)
    passages: dict[int, int] = {}
    for pk, declaration in (
        Passage.objects.filter(declaration__in={r.matched_declaration_id for r in matched})
        .order_by("-at", "-pk")
        .values_list("pk", "declaration_id")
    ):
        passages.setdefault(declaration, pk)
    for row in matched:
        row.matched_passage_id = passages.get(row.matched_declaration_id)
    return matched

"""Import of contact lists from tracing teams (XLSX/CSV through lib.imports), with the
line-numbered report and the keep-good-rows / refuse-file choice of the other imports; the
same function serves the page and `manage.py import_contacts`.

Each row names its source case by the F0's reference (F0-ddmm-XXXXXX) and the contact by
name and birth year, phone or CCCD. People are found through the registry's matching
(`services.contact_person`): a strong match is reused, never duplicated; a row whose only
candidates are weak ones (same phone, or same name and year in the commune) is reported
for the tracer to enter on the F0's page, where they choose, so an import never makes a
second record of someone. Contacts are written in batches (`contacts_add_many`: one
lookup and one bulk INSERT per source and batch), and a re-import adds nothing."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.audit.middleware import current_ip
from phongdich.audit.models import AuditEvent
from phongdich.audit.services import action_app, province_code_of
from phongdich.cases.models import Case
from phongdich.cases.selectors import cases_visible_to
from phongdich.geo.selectors import home_communes
from phongdich.lib import imports
from phongdich.lib.locks import key_lock_many
from phongdich.lib.references import reference_find
from phongdich.lib.text import fold, name_key
from phongdich.people import imports as person_columns
from phongdich.people.models import Person
from phongdich.people.services import match_lock_keys
from phongdich.people.signals import people_created_in_bulk

from . import services
from .models import Contact, Criterion, Setting

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000  # one request (docs/architecture.md, "Imports of uploaded tables")
SETTING_WORDS = {
    **{fold(str(label)): value for value, label in Setting.choices},
    "gia dinh": Setting.HOUSEHOLD,
    "ho gia dinh": Setting.HOUSEHOLD,
    "noi lam viec": Setting.WORKPLACE,
    "co quan": Setting.WORKPLACE,
    "truong": Setting.SCHOOL,
    "truong hoc": Setting.SCHOOL,
    "cho": Setting.MARKET,
    "benh vien": Setting.HEALTH_FACILITY,
    "co so y te": Setting.HEALTH_FACILITY,
    "xe": Setting.TRANSPORT,
    "phuong tien": Setting.TRANSPORT,
    "khac": Setting.OTHER,
}
CRITERION_WORDS = {
    "1": Criterion.PHYSICAL,
    "2": Criterion.MASKED_CLOSE,
    "3": Criterion.UNMASKED,
    "4": Criterion.CARE,
    "tiep xuc co the": Criterion.PHYSICAL,
    "khong khau trang": Criterion.UNMASKED,
    "cham soc": Criterion.CARE,
}


@dataclass
class ContactImport(imports.ImportOutcome):
    added: int = 0
    unchanged: int = 0  # already a contact of that source


def _parse_year(text: str) -> int:
    year = int(text) if text.isdigit() else imports.parse_date(text).year
    if not 1900 <= year <= timezone.localdate().year:
        raise ValueError(_("ngoài khoảng 1900 đến nay"))
    return year


def _parse_exposure(text: str):
    value = imports.parse_date(text)
    if value > timezone.localdate():
        raise ValueError(_("ở tương lai"))
    if value.year < 2020:
        raise ValueError(_("trước năm 2020"))
    return value


def columns() -> list[imports.Column]:
    limit = imports.model_max_length
    return [
        imports.Column(
            "source",
            gettext_lazy("Mã ca F0"),
            headers=("mã ca f0", "mã f0", "ca f0"),
            required=True,
            max_length=20,
        ),
        person_columns.full_name_column(),
        imports.Column(
            "birth_year",
            gettext_lazy("Năm sinh"),
            headers=("năm sinh", "ngày sinh"),
            max_length=10,
            parse=_parse_year,
        ),
        person_columns.sex_column(),
        person_columns.phone_column(),
        person_columns.id_number_column(),
        imports.Column(
            "address",
            gettext_lazy("Địa chỉ"),
            headers=("địa chỉ",),
            max_length=limit(Person, "address"),
        ),
        imports.Column(
            "commune_code",
            gettext_lazy("Mã xã"),
            headers=("mã xã", "mã xã/phường"),
            required=True,
            max_length=5,
        ),
        imports.Column(
            "exposure_date",
            gettext_lazy("Ngày tiếp xúc"),
            headers=("ngày tiếp xúc",),
            required=True,
            parse=_parse_exposure,
        ),
        imports.Column(
            "setting",
            gettext_lazy("Nơi tiếp xúc"),
            headers=("nơi tiếp xúc", "bối cảnh"),
            required=True,
            max_length=40,
            parse=imports.parse_choice(SETTING_WORDS, gettext_lazy("không có trong danh mục")),
        ),
        imports.Column(
            "criterion",
            gettext_lazy("Tiêu chí F1"),
            headers=("tiêu chí f1", "tiêu chí"),
            max_length=40,
            parse=imports.parse_choice(CRITERION_WORDS, gettext_lazy("phải là 1, 2, 3 hoặc 4")),
        ),
        imports.Column(
            "relationship",
            gettext_lazy("Quan hệ"),
            headers=("quan hệ", "quan hệ với f0"),
            max_length=limit(Contact, "relationship"),
        ),
        imports.Column(
            "place",
            gettext_lazy("Địa điểm tiếp xúc"),
            headers=("địa điểm tiếp xúc", "địa điểm"),
            max_length=limit(Contact, "place"),
        ),
    ]


def import_contacts(
    *,
    by,
    upload,
    mode: str,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    progress=None,
) -> ContactImport:
    """`progress(stage, done, total)` is the background job's (lib.background_imports):
    told at each stage and after each written batch."""
    progress = progress or (lambda stage, done, total: None)
    kind = imports.check_upload(upload, max_bytes=max_bytes)
    result = ContactImport()
    communes = {u.code: u for u in home_communes()}
    visible_cases = cases_visible_to(by)
    sources: dict[str, Case | None] = {}
    # people already listed for a source, by (folded name, birth year): a re-import of a row
    # with no phone or CCCD finds its contact here instead of registering someone again
    listed: dict[int, dict] = {}

    def source_case(reference: str):
        key = fold(reference)
        if key not in sources:
            _kind, found = reference_find(reference)
            case = visible_cases.filter(pk=found.pk).first() if isinstance(found, Case) else None
            sources[key] = case
        return sources[key]

    def listed_for(case) -> dict:
        if case.pk not in listed:
            listed[case.pk] = {
                (c.person.name_key, c.person.birth_year): c.person
                for c in Contact.objects.filter(source_case=case).select_related("person")
            }
        return listed[case.pk]

    def check(row: imports.Row) -> None:
        values = row.values
        imports.commune_from_code(row, communes)
        if values.get("commune") is None and "commune" in values and values.get("commune_code"):
            row.errors[-1] = _("Mã xã: không có xã %(code)s trong tỉnh") % {
                "code": values["commune_code"]
            }
        if values.get("source"):
            values["case"] = source_case(values["source"])
            if values["case"] is None:
                row.errors.append(_("Mã ca F0: không tìm thấy ca trong địa bàn của bạn"))
        identifiers = {"phone", "id_number", "birth_year"}
        if not any(values.get(key) for key in identifiers) and not row.failed & identifiers:
            row.errors.append(_("Cần số CCCD, số điện thoại hoặc năm sinh"))
        if row.errors:
            return
        known = listed_for(values["case"]).get(
            (name_key(values["full_name"]), values["birth_year"])
        )
        if known is not None and not (
            values["id_number"] and known.id_number and known.id_number != values["id_number"]
        ):
            values["person"] = known
            return
        # The registry's matching runs after the whole file is read (`_screen`): one batch
        # of lookups tells which rows may be someone already registered.

    written = [0]

    def write_many(rows: list[imports.Row]) -> None:
        _register_fresh(by, rows)
        by_source = defaultdict(list)
        for row in rows:
            values = row.values
            person = values.get("person") or services.contact_person(
                by=by, identity=_identity(values)
            )
            by_source[values["case"].pk].append((values["case"], person, _exposure(values)))
        for items in by_source.values():
            case = items[0][0]
            added = services.contacts_add_many(
                by=by, source_case=case, rows=[(person, exposure) for _c, person, exposure in items]
            )
            result.added += added
            result.unchanged += len(items) - added
        written[0] += len(rows)
        progress("record", written[0], len(table.rows))

    try:
        progress("read", 0, 0)
        table = imports.read_table(upload, columns(), kind=kind, max_rows=max_rows, check=check)
        progress("match", 0, len(table.rows))
        _screen(by, table)
        imports.refuse_if_rows_failed(table, mode)
        progress("record", 0, len(table.rows))
        imports.write_rows(
            table.rows,
            lambda row: write_many([row]),
            mode=mode,
            report=table.report,
            write_many=write_many,
        )
        result.errors = table.report
    except imports.FileRefused as exc:
        result.added = result.unchanged = 0
        result.refusal = exc.messages[0]
        if exc.report is not None:
            result.errors = exc.report
    return result


def _identity(values) -> services.Identity:
    return services.Identity(
        full_name=values["full_name"],
        commune=values["commune"],
        birth_year=values["birth_year"],
        sex=values["sex"] or "",
        phone=values["phone"] or "",
        id_number=values["id_number"] or "",
        address=values["address"] or "",
    )


def _exposure(values) -> services.Exposure:
    return services.Exposure(
        exposure_date=values["exposure_date"],
        setting=values["setting"],
        criterion=values["criterion"] or Criterion.UNKNOWN,
        relationship=values["relationship"] or "",
        place=values["place"] or "",
    )


# --- matching a whole file through the registry, in batches ---------------------------------
# A row goes through the registry's own `person_register` (reuse, referral) whenever anybody
# *might* be that person; only a row nobody could be is created in bulk, and creating it
# alone through `person_register` would have done exactly the same (a new record, no
# referral). "Might be" is a superset of the registry's candidates (`_all_candidates`): the
# same CCCD (held or claimed), the same phone, or the same folded name and birth year, in
# any commune. Five thousand rows cost ten lookups instead of fifteen thousand.

LOOKUP_BATCH = 1000
MAYBE_DUPLICATE = gettext_lazy(
    "Có người có thể trùng trong sổ (cùng số điện thoại hoặc cùng tên và năm sinh): hãy nhập người này trên trang ca F0 để chọn đúng người"
)


def _keys(values) -> list[str]:
    return match_lock_keys(
        full_name=values["full_name"],
        birth_year=values["birth_year"],
        phone=values["phone"] or "",
        id_number=values["id_number"] or None,
    )


def _maybe_registered(values_list: list[dict]) -> set[int]:
    """Indexes of the rows someone in the registry might be (one query per batch)."""
    maybe: set[int] = set()
    for start in range(0, len(values_list), LOOKUP_BATCH):
        chunk = values_list[start : start + LOOKUP_BATCH]
        ids = {v["id_number"] for v in chunk if v["id_number"]}
        phones = {v["phone"] for v in chunk if v["phone"]}
        names = {name_key(v["full_name"]) for v in chunk if v["birth_year"]}
        found = Person.objects.filter(merged_into__isnull=True).filter(
            Q(id_number__in=ids)
            | Q(claimed_id_number__in=ids)
            | Q(phone__in=phones)
            | Q(name_key__in=names)
        )
        held_ids, held_phones, held_names = set(), set(), set()
        for id_number, claimed, phone, key, year in found.values_list(
            "id_number", "claimed_id_number", "phone", "name_key", "birth_year"
        ):
            held_ids.update(filter(None, (id_number, claimed)))
            if phone:
                held_phones.add(phone)
            held_names.add((key, year))
        for offset, v in enumerate(chunk):
            if (
                (v["id_number"] and v["id_number"] in held_ids)
                or (v["phone"] and v["phone"] in held_phones)
                or (v["birth_year"] and (name_key(v["full_name"]), v["birth_year"]) in held_names)
            ):
                maybe.add(start + offset)
    return maybe


def _screen(by, table: imports.Table) -> None:
    """After the file is read: rows someone might already be get the registry's candidates
    (a row with only weak ones is reported, never a second record); the others are marked
    fresh for the bulk path. A row sharing a match key with an earlier fresh row of the file
    goes through the registry too, so it finds that row's person instead of repeating it."""
    pending = [row for row in table.rows if row.values.get("person") is None]
    maybe = _maybe_registered([row.values for row in pending])
    taken: set[str] = set()
    failed = []
    for index, row in enumerate(pending):
        values = row.values
        keys = _keys(values)
        if index not in maybe:
            if taken.isdisjoint(keys):
                values["fresh"] = True
            taken.update(keys)
            continue
        identity = _identity(values)
        candidates = services.person_candidates(
            by=by,
            full_name=identity.full_name,
            birth_year=identity.birth_year,
            phone=identity.phone,
            id_number=identity.id_number,
            commune=identity.commune,
        )
        if candidates and not any(c.strong for c in candidates):
            failed.append(row)
    if failed:
        for row in failed:
            table.report.add(row.line, [str(MAYBE_DUPLICATE)])
        table.report.entries.sort(key=lambda entry: entry["line"])
        gone = {id(row) for row in failed}
        table.rows = [row for row in table.rows if id(row) not in gone]


def _register_fresh(by, rows: list[imports.Row]) -> None:
    """Create the batch's fresh people in one INSERT (and one audit event each, in one more).
    Under the same match-key locks `person_register` takes, the rows are looked up again:
    one a concurrent import has just registered goes through the registry instead."""
    # "fresh" stays on the row: when the database refuses a batch, keep_good retries it row
    # by row, and the people of the rolled-back batch must be made again.
    fresh = [row for row in rows if row.values.get("fresh")]
    if not fresh:
        return
    for row in fresh:
        row.values["person"] = None
    with transaction.atomic():
        # One statement for the batch's keys (a round trip per key was a second of a
        # 5,000-row import), taken in the same sorted order person_register takes them.
        key_lock_many(key for row in fresh for key in _keys(row.values))
        again = _maybe_registered([row.values for row in fresh])
        new = []
        for index, row in enumerate(fresh):
            if index in again:
                continue
            values = row.values
            person = Person(
                full_name=values["full_name"],
                birth_year=values["birth_year"],
                sex=values["sex"] or "",
                phone=values["phone"] or "",
                id_number=values["id_number"] or None,
                address=values["address"] or "",
                commune=values["commune"],
            )
            person.refresh_keys()
            values["person"] = person
            new.append(person)
        Person.objects.bulk_create(new, batch_size=500)
        # No post_save ran: the apps keeping a row per person (vaccination's coverage
        # summary) add the batch's rows here, in this transaction, set-based.
        people_created_in_bulk.send(sender=Person, ids=[person.pk for person in new])
        actor = by if getattr(by, "is_authenticated", False) else None
        label = actor.get_username() if actor else "hệ thống"
        province = province_code_of(actor)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor=actor,
                    actor_label=label,
                    action="person.create",
                    target_type=Person._meta.label_lower,
                    target_id=str(person.pk),
                    target_label=str(person)[:200],
                    ip=current_ip.get(),
                    changes={
                        "commune": person.commune.code if person.commune else None,
                        "via": "tracing.import",
                    },
                    province=province,
                    app=action_app("person.create"),
                )
                for person in new
            ],
            batch_size=500,
        )


# --- the page's import, run by the worker (lib.background_imports) ---------------------------

# In the worker the request's 60 s timeout no longer caps the rows; the file is still read
# whole into memory (read_table) before the registry's batched screen, so the page keeps a
# bound: 50,000 rows (5 MB is about that many rows of this table).
PAGE_MAX_ROWS = 50_000


def import_contacts_audited(*, by, upload, mode, max_rows, max_bytes, progress):
    """The page's import: the import, then its audit event with the counts (the page
    audited these once the import returned; the worker runs it now)."""
    from phongdich.audit.services import audit_record

    result = import_contacts(
        by=by, upload=upload, mode=mode, max_rows=max_rows, max_bytes=max_bytes, progress=progress
    )
    audit_record(
        actor=by,
        action="tracing.import",
        changes={
            "file": str(upload.name)[:100],
            "added": result.added,
            "unchanged": result.unchanged,
            "errors": result.errors.total,
            "refused": result.refused,
        },
    )
    return result


def register_background_import():
    from phongdich.lib import background_imports

    from .permissions import TRACER_ROLES

    return background_imports.register_people_rows(
        name="tracing.contacts",
        title=gettext_lazy("Danh sách tiếp xúc"),
        roles=TRACER_ROLES,
        run=import_contacts_audited,
        back_url="tracing:import",
        counters={"n": "added", "u": "unchanged"},
        summary=gettext_lazy("Đã thêm %(n)s người tiếp xúc; %(u)s người đã có trong danh sách."),
        record_stage=gettext_lazy("Đang ghi người tiếp xúc"),
        max_bytes=MAX_BYTES,
        max_rows=PAGE_MAX_ROWS,
    )

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import public_view, role_required
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.geo.selectors import communes_within
from phongdich.lib import background_imports, ratelimit
from phongdich.lib.bounds import parse_day
from phongdich.lib.files import pdf_response, xlsx_response
from phongdich.lib.idempotency import new_key
from phongdich.lib.imports import ErrorReport, FileRefused
from phongdich.lib.urls import absolute_url
from phongdich.lib.xlsx import build_form, build_workbook
from phongdich.people import need_to_know
from phongdich.people.models import Person
from phongdich.people.selectors import person_get

from . import (
    campaigns,
    certificates,
    denominators,
    labels,
    outreach,
    panels,
    reminders,
    risk,
    selectors,
    services,
)
from .forms import (
    CampaignForm,
    CampaignTargetForm,
    CampaignTaskLinkForm,
    DoseFieldsForm,
    DoseForm,
    ImportForm,
    OutcomeForm,
    OutreachFilterForm,
    PopulationBandImportForm,
    ReminderChannelForm,
    ReviewMatchForm,
    RiskFlagForm,
    RiskImportForm,
)
from .models import (
    AefiLink,
    Campaign,
    CoverageBand,
    Dose,
    DoseReview,
    ReminderChannel,
    RiskGroup,
    VaccinationCertificate,
)
from .permissions import CAMPAIGN_ROLES, COVERAGE_ROLES, RECORD_ROLES, REVIEW_ROLES


def _person(request, pk: int) -> Person:
    try:
        return person_get(request.user, pk)
    except Person.DoesNotExist:
        raise Http404 from None


def _dose_input(data, **extra) -> services.DoseInput:
    return services.DoseInput(
        product=data["product"],
        dose_number=data["dose_number"],
        given_on=data["given_on"],
        kind=data["kind"],
        site_kind=data["site_kind"],
        site_name=data["site_name"],
        lot=data["lot"],
        **extra,
    )


def _after_record(request, outcome):
    if outcome.dose is not None:
        if outcome.created:
            messages.success(request, _("Đã ghi mũi tiêm."))
            if outcome.dose.flags:
                messages.warning(
                    request,
                    _("Mũi tiêm được ghi nhận và đưa vào danh sách cần rà soát: %(why)s.")
                    % {"why": "; ".join(labels.flag_words(outcome.dose.flag_list))},
                )
        else:
            messages.info(request, _("Mũi tiêm này đã được ghi trước đó; không ghi thêm."))
        return redirect("vaccination:record", pk=outcome.dose.person_id)
    if outcome.created:
        messages.warning(
            request,
            _(
                "Chưa xác định chắc chắn được người này trong danh sách dân cư: mũi tiêm đã "
                "được đưa vào danh sách chờ xác định người."
            ),
        )
    else:
        messages.info(request, _("Mũi tiêm này đã có trong danh sách chờ xác định người."))
    return redirect("vaccination:review", pk=outcome.review.pk)


@role_required(*RECORD_ROLES)
def dose_new(request):
    """A dose given to someone identified by their CCCD, phone, name and birth year."""
    communes = communes_within(request.user.jurisdiction)
    form = DoseForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identity = services.Identity(
            full_name=data["full_name"],
            commune=data["commune"],
            birth_year=data["birth_year"],
            birth_date=data["birth_date"],
            sex=data["sex"],
            phone=data["phone"],
            id_number=data["id_number"],
        )
        try:
            outcome = services.dose_record(
                by=request.user, identity=identity, dose=_dose_input(data)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error("commune", str(exc))
        else:
            return _after_record(request, outcome)
    return render(request, "vaccination/dose_form.html", {"form": form, "person": None})


@role_required(*RECORD_ROLES)
def dose_for_person(request, pk: int):
    """A dose for a person opened from the registry (their page, their record)."""
    person = _person(request, pk)
    form = DoseFieldsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.dose_record_for_person(
                by=request.user, person=person, dose=_dose_input(form.cleaned_data)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _after_record(request, outcome)
    audit_read(actor=request.user, target=person, action="vaccination.dose_form")
    need_to_know.present([person], request.user)
    return render(request, "vaccination/dose_form.html", {"form": form, "person": person})


@role_required(*RECORD_ROLES)
def record(request, pk: int):
    """A person's vaccination record: an audited read of the person."""
    person = _person(request, pk)
    audit_read(actor=request.user, target=person, action="vaccination.record")
    need_to_know.present([person], request.user)
    context = panels.status_context(person)
    context["flag_words"] = {d.pk: labels.flag_words(d.flag_list) for d in context["doses"]}
    context["certificates"] = list(
        VaccinationCertificate.objects.filter(person=person).order_by("-issued_at", "-pk")
    )
    context["can_unlink"] = request.user.has_role(*REVIEW_ROLES)
    context["risk_flags"] = risk.person_flags(person)
    context["risk_form"] = RiskFlagForm(initial={"since": timezone.localdate()})
    context["reminder_channel"] = reminders.channel_of(person)
    context["reminder_channel_label"] = dict(ReminderChannel.Channel.choices).get(
        context["reminder_channel"], context["reminder_channel"]
    )
    context["reminder_channel_form"] = ReminderChannelForm(
        initial={"channel": context["reminder_channel"]}
    )
    context["aefi_links"] = list(
        AefiLink.objects.filter(
            person=person, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .prefetch_related("sends")
        .order_by("-created_at")
    )
    return render(request, "vaccination/record.html", context)


@role_required(*REVIEW_ROLES)
def reviews(request):
    """Doses waiting for a person, and doses recorded against the rules, to check."""
    waiting = list(selectors.open_reviews(request.user)[:200])
    flagged = list(selectors.flagged_doses(request.user)[:200])
    audit_read_many(actor=request.user, action="vaccination.reviews", records=[*waiting, *flagged])
    for review in waiting:
        review.shown_id_number = need_to_know.mask_id_number(review.id_number)
    for dose in flagged:
        dose.flag_words = labels.flag_words(dose.flag_list)
    return render(request, "vaccination/reviews.html", {"waiting": waiting, "flagged": flagged})


def _review(request, pk: int) -> DoseReview:
    try:
        return selectors.review_get(request.user, pk)
    except DoseReview.DoesNotExist:
        raise Http404 from None


@role_required(*REVIEW_ROLES)
def review(request, pk: int):
    item = _review(request, pk)
    candidates = (
        services.review_candidates(by=request.user, review=item)
        if item.status == DoseReview.Status.OPEN
        else []
    )
    audit_read_many(
        actor=request.user,
        action="vaccination.review",
        records=[item, *(c.person for c in candidates)],
    )
    need_to_know.present([c.person for c in candidates], request.user)
    access = need_to_know.access_for(request.user.role)
    item.shown_id_number = (
        item.id_number
        if access.id_number == need_to_know.FULL
        else need_to_know.mask_id_number(item.id_number)
    )
    return render(
        request,
        "vaccination/review.html",
        {"review": item, "candidates": candidates},
    )


@require_POST
@role_required(*REVIEW_ROLES)
def review_match(request, pk: int):
    item = _review(request, pk)
    form = ReviewMatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn một người trong danh sách."))
        return redirect("vaccination:review", pk=item.pk)
    person = _person(request, form.cleaned_data["person_id"])
    try:
        services.review_match(by=request.user, review=item, person=person)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("vaccination:review", pk=item.pk)
    messages.success(request, _("Đã ghi mũi tiêm vào hồ sơ của người được chọn."))
    return redirect("vaccination:record", pk=person.pk)


@require_POST
@role_required(*REVIEW_ROLES)
def review_register(request, pk: int):
    item = _review(request, pk)
    try:
        item = services.review_register(by=request.user, review=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("vaccination:review", pk=item.pk)
    if item.status == DoseReview.Status.CREATED:
        messages.success(request, _("Đã đăng ký người mới và ghi mũi tiêm."))
    else:
        messages.info(
            request, _("Danh sách dân cư đã có người này; mũi tiêm được ghi vào hồ sơ đó.")
        )
    return redirect("vaccination:record", pk=item.dose.person_id)


@require_POST
@role_required(*REVIEW_ROLES)
def dose_check(request, pk: int):
    try:
        dose = selectors.dose_get(request.user, pk)
    except Dose.DoesNotExist:
        raise Http404 from None
    services.dose_flags_clear(by=request.user, dose=dose)
    messages.success(request, _("Đã đánh dấu mũi tiêm là đã rà soát."))
    return redirect("vaccination:reviews")


@role_required(*REVIEW_ROLES)
def import_doses(request):
    """Store the file and hand it to the worker (lib.background_imports); the job's page
    shows the progress, then the report. The import audits itself once, with its counts
    (bulk/); the request is audited too (`import.request`)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = background_imports.import_request(
                by=request.user,
                kind="vaccination.doses",
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
            )
        except FileRefused as exc:
            form.add_error("file", exc.messages[0])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect("imports:job", pk=job.pk)
    return render(request, "vaccination/import.html", {"form": form})


# Columns of the coverage page and export: (band, figure, heading).
COVERAGE_COLUMNS = [
    ("18+", "at_least_one", gettext_lazy("Từ 18 tuổi: ít nhất 1 mũi")),
    ("50+", "full", gettext_lazy("Từ 50 tuổi: đủ liều cơ bản")),
    ("all", "full", gettext_lazy("Toàn dân: đủ liều cơ bản")),
    ("18+", "boosted", gettext_lazy("Từ 18 tuổi: đã tiêm nhắc lại")),
    ("65+", "full", gettext_lazy("Từ 65 tuổi: đủ liều cơ bản")),
    ("12-17", "full", gettext_lazy("12–17 tuổi: đủ liều cơ bản")),
    ("5-11", "at_least_one", gettext_lazy("5–11 tuổi: ít nhất 1 mũi")),
    ("risk", "full", gettext_lazy("Nhóm nguy cơ cao: đủ liều cơ bản")),
]
DENOMINATOR_WORDS = {
    "official": gettext_lazy("dân số chính thức"),
    "synthetic": gettext_lazy("dân số mẫu (giả lập)"),
    "registry": gettext_lazy("danh sách dân cư"),
}


def _coverage_table(request):
    day = parse_day(request.GET.get("day", ""), "%d/%m/%Y") or timezone.localdate()
    table = []
    for unit, figures in selectors.coverage_rows(request.user, day):
        cells = []
        for band, field, heading in COVERAGE_COLUMNS:
            figure = figures.get(band)
            share = figure.share(field) if figure else None
            cells.append((heading, None if share is None else share * 100))
        whole = figures.get("all")
        source = DENOMINATOR_WORDS[whole.denominator_source if whole else "registry"]
        table.append((unit, cells, source))
    return day, table


@role_required(*COVERAGE_ROLES)
def coverage(request):
    day, table = _coverage_table(request)
    headings = [heading for _b, _f, heading in COVERAGE_COLUMNS]
    return render(
        request, "vaccination/coverage.html", {"day": day, "table": table, "headings": headings}
    )


@role_required(*COVERAGE_ROLES)
def coverage_export(request):
    day, table = _coverage_table(request)
    header = [_("Đơn vị"), *(str(h) for _b, _f, h in COVERAGE_COLUMNS), _("Mẫu số")]
    rows = [
        [
            unit.label(),
            *("" if pct is None else round(pct, 1) for _heading, pct in cells),
            str(source),
        ]
        for unit, cells, source in table
    ]
    return xlsx_response(
        build_workbook(_("Độ bao phủ tiêm chủng"), header, rows),
        f"do-bao-phu-tiem-chung-{day:%Y%m%d}.xlsx",
    )


# --- no one missed -------------------------------------------------------------------------

OUTREACH_PAGE = 200


def _outreach(request):
    communes = communes_within(request.user.jurisdiction)
    form = OutreachFilterForm(request.GET or None, communes=communes)
    if not request.GET:
        first = communes.order_by("name").first()
        form = OutreachFilterForm({"commune": first.pk if first else ""}, communes=communes)
    if not form.is_valid():
        return form, None, timezone.localdate()
    data = form.cleaned_data
    filters = outreach.Filters(
        min_age=data["min_age"],
        max_age=data["max_age"],
        need=data["need"],
        min_days_overdue=data["min_days_overdue"] or 0,
        dose_number=data["dose_number"],
        without_outcome=data["without_outcome"],
        risk_group=data["risk_group"],
    )
    return form, filters, timezone.localdate()


def _page_number(request) -> int:
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@role_required(*RECORD_ROLES)
def outreach_list(request):
    """Everyone of a commune to vaccinate: not vaccinated, or overdue for the next dose."""
    form, filters, day = _outreach(request)
    found, entries, page, pages = None, [], 1, 1
    if filters is not None:
        page = _page_number(request)
        found = outreach.outreach_list(
            form.cleaned_data["commune"],
            filters,
            day,
            people_for=OUTREACH_PAGE,
            offset=(page - 1) * OUTREACH_PAGE,
        )
        pages = max(1, -(-found.total // OUTREACH_PAGE))
        entries = found.entries
    people = [e.person for e in entries]
    audit_read_many(actor=request.user, action="vaccination.outreach", records=people)
    need_to_know.present(people, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "vaccination/outreach.html",
        {
            "form": form,
            "found": found,
            "entries": entries,
            "day": day,
            "kinds": outreach.OutreachOutcome.Kind.choices,
            "query": request.GET.urlencode(),
            "page_query": query.urlencode(),
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "new_key": new_key,
        },
    )


@role_required(*RECORD_ROLES)
def outreach_export(request):
    form, filters, day = _outreach(request)
    if filters is None:
        return redirect("vaccination:outreach")
    commune = form.cleaned_data["commune"]
    header = [
        _("STT"),
        _("Họ và tên"),
        _("Năm sinh"),
        _("Giới tính"),
        _("Điện thoại"),
        _("Địa chỉ"),
        _("Số mũi đã tiêm"),
        _("Mũi cần tiêm"),
        _("Tiêm được từ ngày"),
        _("Số ngày quá hạn"),
        _("Kết quả vận động"),
        _("Ghi chú"),
    ]

    def rows():
        # Read in chunks and written to a write-only sheet: the whole list never sits in
        # memory as model rows; each chunk's people are an audited read.
        chunk = []
        for i, e in enumerate(outreach.outreach_rows(commune, filters, day), start=1):
            need_to_know.present([e.person], request.user)
            chunk.append(e.person)
            if len(chunk) >= 2000:
                audit_read_many(
                    actor=request.user, action="vaccination.outreach_export", records=chunk
                )
                chunk = []
            yield [
                i,
                e.person.full_name,
                e.person.birth_year or "",
                e.person.get_sex_display(),
                e.person.shown_phone,
                e.person.address,
                e.status.doses,
                e.status.next.dose_number or "",
                e.status.next.earliest.strftime("%d/%m/%Y") if e.status.next.earliest else "",
                e.days_overdue,
                e.outcome.get_kind_display() if e.outcome else "",
                e.outcome.reason if e.outcome else "",
            ]
        if chunk:
            audit_read_many(actor=request.user, action="vaccination.outreach_export", records=chunk)

    # The heading the commune station files under: station and commune (with its district)
    # on the left, the national motto on the right, then the title, the day, the filters and
    # the list's figures (one counting query), the signatures under the table.
    found = outreach.outreach_list(commune, filters, day, people_for=0)
    district = commune.parent.name if commune.parent_id else ""
    share = f"{found.not_missed:.1%}" if found.not_missed is not None else "—"
    blank = [""] * 7
    preamble = [
        [_("TRẠM Y TẾ %(commune)s") % {"commune": commune.name.upper()}, *blank,
         _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
        [district, *blank, _("Độc lập - Tự do - Hạnh phúc")],
        [],
        [_("DANH SÁCH NGƯỜI CẦN TIÊM VẮC XIN PHÒNG COVID-19")],
        [_("%(place)s, ngày %(day)s") % {"place": commune.label(), "day": f"{day:%d/%m/%Y}"}],
        [_("Điều kiện lọc: %(words)s") % {"words": "; ".join(form.words())}],
        [_("Số người trong danh sách: %(total)s; tỷ lệ không bỏ sót: %(share)s")
         % {"total": found.total, "share": share}],
    ]  # fmt: skip
    footer = [
        ["", _("Người lập biểu"), *[""] * 6, _("Trưởng trạm y tế")],
        ["", _("(Ký, ghi rõ họ tên)"), *[""] * 6, _("(Ký, ghi rõ họ tên, đóng dấu)")],
    ]
    return xlsx_response(
        build_form(
            _("Danh sách cần tiêm"),
            preamble=preamble,
            header=header,
            rows=rows(),
            footer=footer,
            widths=[6, 28, 9, 9, 14, 30, 8, 8, 14, 10, 24, 24],
        ),
        f"danh-sach-can-tiem-{commune.code}-{day:%Y%m%d}.xlsx",
    )


@require_POST
@role_required(*RECORD_ROLES)
def outreach_outcome(request):
    form = OutcomeForm(request.POST)
    back = request.POST.get("back", "")
    target = f"{reverse('vaccination:outreach')}?{back}" if back.isascii() else None
    if not form.is_valid():
        messages.error(
            request,
            _("Kết quả vận động không hợp lệ: %(why)s")
            % {"why": "; ".join(m for ms in form.errors.values() for m in ms)},
        )
        return redirect(target or "vaccination:outreach")
    person = _person(request, form.cleaned_data["person_id"])
    answers = form.answers()
    answers.pop("person_id")
    try:
        outreach.outreach_outcome_record(
            by=request.user, person=person, submission=form.submission(request.user), **answers
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Đã ghi kết quả vận động của %(name)s.") % {"name": person.full_name}
        )
    return redirect(target or "vaccination:outreach")


# --- certificate ----------------------------------------------------------------------------


@require_POST
@role_required(*RECORD_ROLES)
def certificate_issue(request, pk: int):
    person = _person(request, pk)
    try:
        certificates.certificate_issue(by=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("vaccination:record", pk=person.pk)
    return redirect("vaccination:certificate", pk=person.pk)


@role_required(*RECORD_ROLES)
def certificate(request, pk: int):
    """The certificate's PDF: a read of the person's data, audited."""
    person = _person(request, pk)
    cert = (
        VaccinationCertificate.objects.filter(person=person, revoked_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if cert is None:
        raise Http404
    audit_read(actor=request.user, target=person, action="vaccination.certificate")
    verify_url = absolute_url(
        reverse("vaccination:certificate_verify", args=[certificates.verify_token(cert)]), request
    )
    return pdf_response(
        certificates.certificate_pdf(cert, verify_url), f"chung-nhan-tiem-{cert.number}.pdf"
    )


@public_view
def certificate_verify(request, token: str):
    """Anyone scanning the QR: per address, generous for a checkpoint behind one carrier
    address, low enough that codes cannot be tried in bulk (each try is an HMAC check)."""
    if not ratelimit.allow(
        request,
        "vaccination-verify",
        limit=int(getattr(settings, "VACCINATION_VERIFY_IP_LIMIT", 600)),
        window_seconds=3600,
    ):
        return render(request, "vaccination/public/slow_down.html", status=429)
    found = certificates.verify(token)
    # 410 for a revoked certificate: it existed and is withdrawn, unlike a code never issued.
    status = 404 if found is None else 410 if found.revoked else 200
    return render(
        request, "vaccination/public/certificate_verify.html", {"found": found}, status=status
    )


# --- risk groups ----------------------------------------------------------------------------

RISK_ERRORS_KEY = "vaccination_risk_errors"
BAND_ERRORS_KEY = "vaccination_band_errors"


@role_required(*REVIEW_ROLES)
def risk_groups(request):
    """The risk flags of the jurisdiction by group, and their import."""
    form = RiskImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = risk.risk_import(
                by=request.user,
                upload=form.cleaned_data["file"],
                all_or_nothing=form.cleaned_data["mode"] == "all_or_nothing",
            )
        except FileRefused as exc:
            form.add_error("file", exc.messages[0])
        else:
            request.session[RISK_ERRORS_KEY] = result.errors.as_dict()
    counts = risk.group_counts(request.user)
    groups = [(label, counts.get(value, 0)) for value, label in RiskGroup.choices]
    return render(
        request,
        "vaccination/risk_groups.html",
        {"form": form, "result": result, "groups": groups},
    )


@role_required(*REVIEW_ROLES)
def risk_errors(request):
    report = ErrorReport.from_dict(request.session.get(RISK_ERRORS_KEY))
    return xlsx_response(report.workbook(), "loi-nhap-nhom-nguy-co.xlsx")


@role_required(Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER)
def population_bands(request):
    """Official population by age band per unit (the coverage's denominators)."""
    form = PopulationBandImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = denominators.population_band_import(
                by=request.user,
                upload=form.cleaned_data["file"],
                all_or_nothing=form.cleaned_data["mode"] == "all_or_nothing",
            )
        except FileRefused as exc:
            form.add_error("file", exc.messages[0])
        else:
            request.session[BAND_ERRORS_KEY] = result.errors.as_dict()
    return render(request, "vaccination/population_bands.html", {"form": form, "result": result})


@role_required(Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER)
def population_band_errors(request):
    report = ErrorReport.from_dict(request.session.get(BAND_ERRORS_KEY))
    return xlsx_response(report.workbook(), "loi-nhap-dan-so-theo-nhom-tuoi.xlsx")


# --- campaigns ------------------------------------------------------------------------------


def _campaign(request, pk: int) -> Campaign:
    try:
        return campaigns.campaign_get(request.user, pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def _campaign_args(data) -> dict:
    return {
        "name": data["name"],
        "start": data["start"],
        "deadline": data["deadline"],
        "age_bands": data["age_bands"],
        "risk_groups": data["risk_groups"],
        "dose_number": data["dose_number"],
    }


@role_required(*COVERAGE_ROLES)
def campaign_list(request):
    found = list(campaigns.campaigns_visible_to(request.user).order_by("-start", "pk")[:100])
    rows = [campaigns.figures(c, request.user) for c in found]
    return render(
        request,
        "vaccination/campaigns.html",
        {"rows": rows, "can_create": campaigns.can_manage(request.user)},
    )


@role_required(*CAMPAIGN_ROLES)
def campaign_new(request):
    if not campaigns.can_manage(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.campaign_create(
                by=request.user, **_campaign_args(form.cleaned_data)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lập chiến dịch. Hãy đặt chỉ tiêu cho từng đơn vị."))
            return redirect("vaccination:campaign", pk=campaign.pk)
    return render(request, "vaccination/campaign_form.html", {"form": form, "campaign": None})


@role_required(*CAMPAIGN_ROLES)
def campaign_edit(request, pk: int):
    campaign = _campaign(request, pk)
    if not campaigns.can_manage(request.user, campaign):
        raise PermissionDenied
    initial = {
        "name": campaign.name,
        "start": campaign.start,
        "deadline": campaign.deadline,
        "age_bands": campaign.band_list,
        "risk_groups": campaign.group_list,
        "dose_number": campaign.dose_number,
    }
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.campaign_update(
                by=request.user, campaign=campaign, **_campaign_args(form.cleaned_data)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu chiến dịch."))
            return redirect("vaccination:campaign", pk=campaign.pk)
    return render(request, "vaccination/campaign_form.html", {"form": form, "campaign": campaign})


def _target_units(user):
    from phongdich.geo.models import AdminUnit

    unit = user.jurisdiction
    return AdminUnit.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk).select_related(
        "parent"
    ).order_by("path") | AdminUnit.objects.filter(pk=unit.pk)


@role_required(*COVERAGE_ROLES)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    manage = campaigns.can_manage(request.user, campaign)
    target_form = link_form = None
    if manage:
        target_form = CampaignTargetForm(units=_target_units(request.user))
        link_form = CampaignTaskLinkForm()
    return render(
        request,
        "vaccination/campaign.html",
        {
            "campaign": campaign,
            "found": campaigns.figures(campaign, request.user),
            "manage": manage,
            "target_form": target_form,
            "link_form": link_form,
            "links": campaign.task_links.select_related("task__document"),
            "age_labels": [dict(CoverageBand.choices)[b] for b in campaign.band_list],
            "group_labels": [dict(RiskGroup.choices)[g] for g in campaign.group_list],
        },
    )


@require_POST
@role_required(*CAMPAIGN_ROLES)
def campaign_target(request, pk: int):
    campaign = _campaign(request, pk)
    if not campaigns.can_manage(request.user, campaign):
        raise PermissionDenied
    form = CampaignTargetForm(request.POST, units=_target_units(request.user))
    if not form.is_valid():
        messages.error(
            request,
            _("Chỉ tiêu không hợp lệ: %(why)s")
            % {"why": "; ".join(m for ms in form.errors.values() for m in ms)},
        )
        return redirect("vaccination:campaign", pk=campaign.pk)
    try:
        campaigns.campaign_target_set(by=request.user, campaign=campaign, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        campaigns.campaign_refresh(campaign=campaign, by=request.user)
        messages.success(request, _("Đã lưu chỉ tiêu."))
    return redirect("vaccination:campaign", pk=campaign.pk)


@require_POST
@role_required(*CAMPAIGN_ROLES)
def campaign_link_task(request, pk: int):
    from phongdich.directives.models import Task

    campaign = _campaign(request, pk)
    if not campaigns.can_manage(request.user, campaign):
        raise PermissionDenied
    form = CampaignTaskLinkForm(request.POST)
    task = None
    if form.is_valid():
        task = Task.objects.filter(pk=form.cleaned_data["task"], is_draft=False).first()
    if task is None:
        messages.error(request, _("Không có nhiệm vụ chỉ đạo đã xác nhận với mã này."))
        return redirect("vaccination:campaign", pk=campaign.pk)
    try:
        campaigns.campaign_task_link(by=request.user, campaign=campaign, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã liên kết nhiệm vụ với chiến dịch."))
    return redirect("vaccination:campaign", pk=campaign.pk)


@require_POST
@role_required(*CAMPAIGN_ROLES)
def campaign_unlink_task(request, pk: int, task_pk: int):
    campaign = _campaign(request, pk)
    if not campaigns.can_manage(request.user, campaign):
        raise PermissionDenied
    if campaigns.campaign_task_unlink(by=request.user, campaign=campaign, task_id=task_pk):
        messages.success(request, _("Đã bỏ liên kết nhiệm vụ với chiến dịch."))
    else:
        messages.info(request, _("Nhiệm vụ này đã không còn liên kết với chiến dịch."))
    return redirect("vaccination:campaign", pk=campaign.pk)


@role_required(*COVERAGE_ROLES)
def campaign_export(request, pk: int):
    campaign = _campaign(request, pk)
    found = campaigns.figures(campaign, request.user)
    header = [
        _("Đơn vị"),
        _("Người chịu trách nhiệm"),
        _("Chức vụ"),
        _("Chỉ tiêu (người)"),
        _("Số người đã tiêm"),
        _("Tỷ lệ (%)"),
        _("Dự kiến đến hạn"),
        _("Không kịp hạn"),
    ]
    rows = [
        [
            r.target.unit.label(),
            r.target.official_name,
            r.target.official_title,
            r.pace.target,
            r.pace.done,
            "" if r.percent is None else round(r.percent, 1),
            r.pace.projected,
            _("Có") if r.pace.will_miss else "",
        ]
        for r in found.rows
    ]
    return xlsx_response(
        build_workbook(_("Tiến độ chiến dịch"), header, rows),
        f"chien-dich-{campaign.pk}-{timezone.localdate():%Y%m%d}.xlsx",
    )

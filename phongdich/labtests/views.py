from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import role_required
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.geo.selectors import communes_within
from phongdich.lib.confirm import require_confirmed
from phongdich.lib.files import xlsx_response
from phongdich.lib.imports import ErrorReport, FileRefused
from phongdich.lib.xlsx import build_workbook

from . import imports, rounds, selectors, services, teams
from . import orders as symptom_orders
from .forms import (
    CampaignForm,
    ImportForm,
    OrderSampleForm,
    PointForm,
    PointSampleForm,
    PoolForm,
    RejectForm,
    ResultForm,
    RoundForm,
    SampleForm,
    add_service_error,
)
from .models import (
    Campaign,
    Kind,
    Pool,
    ResampleOrder,
    Sample,
    SamplingPoint,
    ScreeningRound,
    TestOrder,
)
from .permissions import CAMPAIGN_EDIT_ROLES, CAMPAIGN_ROLES, RESULT_ROLES, SAMPLE_ROLES

IMPORT_ERRORS_KEY = "labtests_import_errors"
LIST_LIMIT = 200  # a register page shows the newest; the filter narrows it


def _get(getter, request, pk):
    try:
        return getter(request.user, pk)
    except (
        Sample.DoesNotExist,
        Pool.DoesNotExist,
        ResampleOrder.DoesNotExist,
        Campaign.DoesNotExist,
        ScreeningRound.DoesNotExist,
        SamplingPoint.DoesNotExist,
        TestOrder.DoesNotExist,
    ):
        raise Http404 from None


# --- samples -------------------------------------------------------------------------------


def _identity(data) -> services.Identity:
    """Who the sample is of, from a SampleForm's cleaned data (the page and a point's form)."""
    return services.Identity(
        full_name=data["full_name"],
        commune=data["commune"],
        birth_year=data["birth_year"],
        sex=data["sex"],
        phone=data["phone"],
        id_number=data["id_number"],
        address=data["address"],
    )


@role_required(*SAMPLE_ROLES)
def samples(request):
    status = request.GET.get("status", "")
    if status not in Sample.Status.values:
        status = ""
    rows = list(selectors.sample_register(request.user, status=status)[:LIST_LIMIT])
    audit_read_many(actor=request.user, action="labtests.samples", records=rows)
    return render(
        request,
        "labtests/samples.html",
        {"samples": rows, "status": status, "statuses": Sample.Status.choices, "limit": LIST_LIMIT},
    )


@role_required(*SAMPLE_ROLES)
def sample_new(request):
    """A sample at a sampling point: the code scanned or typed, then who it is."""
    communes = communes_within(request.user.jurisdiction)
    initial = {"pool_code": request.GET.get("pool", "")[:40], "kind": Kind.PCR}
    form = SampleForm(
        request.POST or None,
        communes=communes,
        teams=teams.teams_to_pick(request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pool = None
        if data["pool_code"]:
            pool = selectors.pool_by_code(request.user, data["pool_code"])
            if pool is None:
                form.add_error("pool_code", _("Không có mẫu gộp này trong địa bàn của bạn."))
        if not form.errors:
            try:
                sample = services.sample_take_for_identity(
                    by=request.user,
                    identity=_identity(data),
                    barcode=data["barcode"],
                    kind=data["kind"],
                    reason=data["reason"],
                    commune=pool.commune if pool else data["commune"],
                    place=data["place"],
                    sampling_team=data["sampling_team"],
                    pool=pool,
                )
            except ValidationError as exc:
                add_service_error(form, exc, fields={"pool": "pool_code"})
            else:
                messages.success(request, _("Đã ghi mẫu %(code)s.") % {"code": sample.barcode})
                if pool is not None:
                    return redirect("labtests:pool_detail", pk=pool.pk)
                return redirect("labtests:sample_detail", pk=sample.pk)
    return render(request, "labtests/sample_form.html", {"form": form})


@role_required(*SAMPLE_ROLES)
def sample_detail(request, pk: int):
    sample = _get(selectors.sample_get, request, pk)
    audit_read(actor=request.user, target=sample, action="labtests.sample")
    return render(
        request,
        "labtests/sample.html",
        {"sample": sample, "result_form": ResultForm(), "reject_form": RejectForm()},
    )


@require_POST
@role_required(*RESULT_ROLES)
def sample_result(request, pk: int):
    sample = _get(selectors.sample_get, request, pk)
    _post_result(
        request,
        lambda **data: services.sample_result_record(by=request.user, sample=sample, **data),
        _("Đã ghi kết quả."),
    )
    return redirect("labtests:sample_detail", pk=sample.pk)


def _post_result(request, record, recorded_message) -> None:
    """A result posted for a sample or a pool: recorded once (the same result again is
    told, a different one refused), each outcome a message on the page it came from."""
    form = ResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kết quả chưa hợp lệ; kiểm tra lại."))
        return
    data = form.cleaned_data
    try:
        _saved, created = record(result=data["result"], lab=data["lab"], ct_value=data["ct_value"])
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return
    if created:
        messages.success(request, recorded_message)
    else:
        messages.info(request, _("Kết quả này đã được ghi trước đó."))


@require_POST
@role_required(*RESULT_ROLES)
def sample_receive(request, pk: int):
    sample = _get(selectors.sample_get, request, pk)
    if services.sample_receive(by=request.user, sample=sample):
        messages.success(request, _("Đã ghi nhận phòng xét nghiệm nhận mẫu."))
    return redirect("labtests:sample_detail", pk=sample.pk)


@require_POST
@role_required(*RESULT_ROLES)
def sample_reject(request, pk: int):
    sample = _get(selectors.sample_get, request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.sample_reject(
                by=request.user, sample=sample, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    else:
        messages.error(request, _("Cần ghi lý do từ chối mẫu."))
    return redirect("labtests:sample_detail", pk=sample.pk)


# --- pools ---------------------------------------------------------------------------------


@role_required(*SAMPLE_ROLES)
def pools(request):
    communes = communes_within(request.user.jurisdiction)
    form = PoolForm(
        request.POST or None, communes=communes, teams=teams.teams_to_pick(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            pool = services.pool_create(
                by=request.user,
                code=form.cleaned_data["code"],
                kind=Kind.PCR,
                commune=form.cleaned_data["commune"],
                sampling_team=form.cleaned_data["sampling_team"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("labtests:pool_detail", pk=pool.pk)
    rows = selectors.pools_visible_to(request.user).select_related("commune__parent")[:LIST_LIMIT]
    return render(request, "labtests/pools.html", {"form": form, "pools": rows})


@role_required(*SAMPLE_ROLES)
def pool_detail(request, pk: int):
    pool = _get(selectors.pool_get, request, pk)
    members = list(pool.members.select_related("person", "order__new_sample").order_by("pk"))
    audit_read_many(actor=request.user, action="labtests.pool", records=members)
    size = services.pool_size_for(pool)
    return render(
        request,
        "labtests/pool.html",
        {
            "pool": pool,
            "members": members,
            "size": size,
            "result_form": ResultForm(),
            "has_room": pool.status == Pool.Status.OPEN and len(members) < size,
        },
    )


@require_POST
@role_required(*RESULT_ROLES)
def pool_result(request, pk: int):
    pool = _get(selectors.pool_get, request, pk)
    _post_result(
        request,
        lambda **data: services.pool_result_record(by=request.user, pool=pool, **data),
        _("Đã ghi kết quả mẫu gộp."),
    )
    return redirect("labtests:pool_detail", pk=pool.pk)


# --- re-sampling orders ----------------------------------------------------------------------


@role_required(*SAMPLE_ROLES)
def orders(request):
    """The open re-sampling orders of the user's communes: a list for the team's phone."""
    rows = list(selectors.open_orders(request.user)[:LIST_LIMIT])
    audit_read_many(actor=request.user, action="labtests.orders", records=rows)
    tests = list(selectors.open_test_orders(request.user)[:LIST_LIMIT])
    audit_read_many(actor=request.user, action="labtests.test_orders", records=tests)
    return render(
        request,
        "labtests/orders.html",
        {"orders": rows, "test_orders": tests, "form": OrderSampleForm()},
    )


@require_POST
@role_required(*SAMPLE_ROLES)
def test_order_sample(request, pk: int):
    order = _get(lambda user, pk: selectors.test_orders_visible_to(user).get(pk=pk), request, pk)
    form = OrderSampleForm(request.POST)
    if form.is_valid():
        try:
            symptom_orders.test_order_sample(
                by=request.user, order=order, barcode=form.cleaned_data["barcode"]
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi mẫu test nhanh."))
    else:
        messages.error(request, _("Cần mã mẫu mới."))
    return redirect("labtests:orders")


@require_POST
@role_required(*SAMPLE_ROLES)
def order_sample(request, pk: int):
    order = _get(selectors.order_get, request, pk)
    form = OrderSampleForm(request.POST)
    if form.is_valid():
        try:
            services.sample_take(
                by=request.user,
                person=order.person,
                barcode=form.cleaned_data["barcode"],
                kind=order.pool.kind,
                reason=Sample.Reason.RESAMPLE,
                commune=order.commune,
                team=order.pool.team,
                sampling_team=order.pool.sampling_team,
                campaign=order.pooled_sample.campaign,
                order=order,
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi mẫu lấy lại."))
    else:
        messages.error(request, _("Cần mã mẫu mới."))
    return redirect("labtests:orders")


# --- campaigns -----------------------------------------------------------------------------


@role_required(*CAMPAIGN_ROLES)
def campaigns(request):
    rows = selectors.campaigns_visible_to(request.user).select_related("unit")[:LIST_LIMIT]
    return render(
        request,
        "labtests/campaigns.html",
        {
            "campaigns": rows,
            "can_create": request.user.role in CAMPAIGN_EDIT_ROLES,
            "open_rounds": selectors.rounds_visible_to(request.user)
            .filter(status=ScreeningRound.Status.OPEN)
            .select_related("campaign")
            .order_by("-starts_on")[:LIST_LIMIT],
        },
    )


@role_required(*CAMPAIGN_EDIT_ROLES)
def campaign_new(request):
    form = CampaignForm(request.POST or None, communes=communes_within(request.user.jurisdiction))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                by=request.user,
                name=data["name"],
                unit=request.user.jurisdiction,
                units=data["units"],
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                rounds=data["rounds"],
                target_population=data["target_population"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            services.campaign_progress_refresh(campaign=campaign)
            return redirect("labtests:campaign_detail", pk=campaign.pk)
    return render(request, "labtests/campaign_form.html", {"form": form})


PROGRESS_HEADINGS = [
    gettext_lazy("Xã/phường"),
    gettext_lazy("Chỉ tiêu"),
    gettext_lazy("Đã lấy mẫu"),
    gettext_lazy("Tỷ lệ lấy mẫu (%)"),
    gettext_lazy("Đã có kết quả"),
    gettext_lazy("Dương tính"),
    gettext_lazy("Tỷ lệ dương tính (%)"),
    gettext_lazy("Mẫu gộp dương tính"),
    gettext_lazy("Mẫu người có triệu chứng"),
    gettext_lazy("Dương tính trong số có triệu chứng"),
]


def _percent(share):
    return None if share is None else round(share * 100, 2)


def _progress_rows(campaign):
    return [
        (
            row.unit.label(),
            row.target,
            row.sampled,
            _percent(row.coverage),
            row.resulted,
            row.positives,
            _percent(row.positivity),
            row.pools_positive,
        )
        for row in selectors.campaign_progress(campaign)
    ]


@role_required(*CAMPAIGN_ROLES)
def campaign_detail(request, pk: int):
    campaign = _get(selectors.campaign_get, request, pk)
    rows = _progress_rows(campaign)
    totals = [sum(r[i] for r in rows) for i in (1, 2, 4, 5, 7)]
    can_edit = request.user.role in CAMPAIGN_EDIT_ROLES
    round_form = None
    if can_edit:
        round_form = RoundForm(
            request.POST or None, communes=campaign.units.select_related("parent")
        )
        if request.method == "POST" and round_form.is_valid():
            data = round_form.cleaned_data
            try:
                made = rounds.round_create(
                    by=request.user,
                    campaign=campaign,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    units=data["units"],
                    target_people=data["target_people"],
                    target_households=data["target_households"],
                )
            except ValidationError as exc:
                round_form.add_error(None, exc)
            else:
                return redirect("labtests:round_detail", pk=made.pk)
    round_rows = [
        (r, rounds.total(rounds.round_figures(r))) for r in selectors.campaign_rounds(campaign)
    ]
    return render(
        request,
        "labtests/campaign.html",
        {
            "campaign": campaign,
            "rows": rows,
            "headings": PROGRESS_HEADINGS,
            "totals": totals,
            "rounds": round_rows,
            "round_form": round_form,
            "can_link_teams": request.user.role in SAMPLE_ROLES,
        },
    )


# --- rounds and sampling points --------------------------------------------------------------

ROUND_HEADINGS = [
    gettext_lazy("Xã/phường"),
    gettext_lazy("Chỉ tiêu người"),
    gettext_lazy("Đã lấy mẫu"),
    gettext_lazy("Số người"),
    gettext_lazy("Tỷ lệ người (%)"),
    gettext_lazy("Chỉ tiêu hộ"),
    gettext_lazy("Số hộ đã đến"),
    gettext_lazy("Tỷ lệ hộ (%)"),
    gettext_lazy("Đã có kết quả"),
    gettext_lazy("Dương tính"),
    gettext_lazy("Mẫu gộp dương tính"),
]


def _round_rows(figures):
    return [
        (
            f.unit.label() if f.unit is not None else str(_("Cộng")),
            f.target_people,
            f.sampled,
            f.people,
            _percent(f.coverage_people),
            f.target_households,
            f.households,
            _percent(f.coverage_households),
            f.resulted,
            f.positives,
            f.pools_positive,
            f.symptomatic,
            f.symptomatic_positives,
        )
        for f in figures
    ]


@role_required(*CAMPAIGN_ROLES)
def round_detail(request, pk: int):
    round_ = _get(selectors.round_get, request, pk)
    figures = rounds.round_figures(round_)
    is_open = round_.status == ScreeningRound.Status.OPEN
    point_form = None
    if is_open and request.user.role in SAMPLE_ROLES:
        point_form = PointForm(
            request.POST or None,
            communes=communes_within(request.user.jurisdiction).filter(
                pk__in=round_.units.values("pk")
            ),
            teams=teams.teams_to_pick(request.user),
        )
        if request.method == "POST" and point_form.is_valid():
            data = point_form.cleaned_data
            try:
                point = rounds.point_create(by=request.user, round=round_, **data)
            except ValidationError as exc:
                point_form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Đã thêm điểm lấy mẫu %(name)s.") % {"name": point.name}
                )
                return redirect("labtests:round_detail", pk=round_.pk)
    return render(
        request,
        "labtests/round.html",
        {
            "round": round_,
            "campaign": round_.campaign,
            "headings": ROUND_HEADINGS,
            "rows": _round_rows(figures),
            "total": _round_rows([rounds.total(figures)])[0],
            "points": round_.points.select_related("commune__parent"),
            "point_form": point_form,
            "is_open": is_open,
            "can_close": is_open and request.user.role in CAMPAIGN_EDIT_ROLES,
            "pending": rounds.pending_count(round_) if is_open else 0,
            "team_counts": teams.round_team_counts(round_),
            "can_link_teams": request.user.role in SAMPLE_ROLES,
        },
    )


def _count_or_zero(value) -> int:
    # The number the page showed; anything else (missing, typed, huge) counts as none seen.
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 9 else 0


@require_POST
@role_required(*CAMPAIGN_EDIT_ROLES)
def round_close(request, pk: int):
    round_ = _get(selectors.round_get, request, pk)
    try:
        require_confirmed(request)
        rounds.round_close(
            by=request.user, round=round_, pending_seen=_count_or_zero(request.POST.get("pending"))
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Đã kết thúc vòng %(n)s.") % {"n": round_.number})
    return redirect("labtests:round_detail", pk=round_.pk)


@role_required(*CAMPAIGN_ROLES)
def round_export(request, pk: int):
    round_ = _get(selectors.round_get, request, pk)
    figures = rounds.round_figures(round_)
    content = build_workbook(
        str(_("Vòng xét nghiệm")),
        [str(h) for h in ROUND_HEADINGS],
        _round_rows([*figures, rounds.total(figures)]),
    )
    return xlsx_response(content, f"vong-xet-nghiem-{round_.campaign_id}-{round_.number}.xlsx")


@role_required(*SAMPLE_ROLES)
def point_detail(request, pk: int):
    """A sampling point's page for its team: scan or type the code, then who it is."""
    point = _get(selectors.point_get, request, pk)
    form = PointSampleForm(
        request.POST or None,
        communes=communes_within(request.user.jurisdiction),
        initial={
            "kind": point.round.campaign.kind,
            "reason": Sample.Reason.SCREENING,
            "pool_code": request.GET.get("pool", "")[:40],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a pool started here goes if its first sample fails
                pool = None
                if data["pool_code"]:
                    pool = services.pool_for_point(
                        by=request.user, point=point, code=data["pool_code"], kind=data["kind"]
                    )
                sample = services.sample_take_for_identity(
                    by=request.user,
                    identity=_identity(data),
                    barcode=data["barcode"],
                    kind=data["kind"],
                    reason=data["reason"],
                    commune=point.commune,
                    point=point,
                    pool=pool,
                    symptomatic=data.get("symptomatic", False),
                )
        except ValidationError as exc:
            add_service_error(form, exc, fields={"pool": "pool_code"})
        else:
            if pool is None:
                messages.success(request, _("Đã ghi mẫu %(code)s.") % {"code": sample.barcode})
                return redirect("labtests:point_detail", pk=point.pk)
            held, room = pool.members.count(), services.pool_size_for(pool)
            messages.success(
                request,
                _("Đã ghi mẫu %(code)s vào mẫu gộp %(pool)s: %(n)s/%(max)s mẫu.")
                % {"code": sample.barcode, "pool": pool.code, "n": held, "max": room},
            )
            url = reverse("labtests:point_detail", args=[point.pk])
            # The pool's code stays on the form for the next member until the pool is full.
            return redirect(url if held >= room else f"{url}?{urlencode({'pool': pool.code})}")
    taken = list(selectors.point_samples(point)[:LIST_LIMIT])
    audit_read_many(actor=request.user, action="labtests.point_samples", records=taken)
    return render(
        request,
        "labtests/point.html",
        {
            "point": point,
            "form": form,
            "samples": taken,
            "limit": LIST_LIMIT,
            "shifts": point.shifts.select_related("team").order_by("starts_at", "pk"),
        },
    )


@role_required(*CAMPAIGN_ROLES)
def campaign_export(request, pk: int):
    campaign = _get(selectors.campaign_get, request, pk)
    content = build_workbook(
        str(_("Tiến độ xét nghiệm")), [str(h) for h in PROGRESS_HEADINGS], _progress_rows(campaign)
    )
    return xlsx_response(content, f"tien-do-xet-nghiem-{campaign.pk}.xlsx")


# --- import ----------------------------------------------------------------------------------


@role_required(*RESULT_ROLES)
def import_results(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_results(
                by=request.user, upload=form.cleaned_data["file"], mode=form.cleaned_data["mode"]
            )
        except FileRefused as exc:
            form.add_error("file", exc.messages[0])
        else:
            request.session[IMPORT_ERRORS_KEY] = result.errors.as_dict()
    return render(request, "labtests/import.html", {"form": form, "result": result})


@role_required(*RESULT_ROLES)
def import_follow_ups(request, batch: str):
    """How far the worker is with an import's results the F0 app hangs on (its importer's
    own: another account's batch is not found)."""
    counts = services.follow_ups_of(by=request.user, batch=batch[:32])
    if len(batch) > 32 or not any(counts.values()):
        raise Http404
    return render(request, "labtests/import_follow_ups.html", {"counts": counts, "batch": batch})


@role_required(*RESULT_ROLES)
def import_errors(request):
    report = ErrorReport.from_dict(request.session.get(IMPORT_ERRORS_KEY))
    return xlsx_response(report.workbook(), "loi-nhap-ket-qua-xet-nghiem.xlsx")

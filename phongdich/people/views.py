from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import PERSONAL_DATA_ROLES, role_required
from phongdich.audit.models import AuditEvent
from phongdich.audit.services import audit_read
from phongdich.geo.selectors import communes_within

from . import selectors, services
from .forms import MergeForm, PersonForm, ReferralForm
from .models import MatchReferral, Person


def _get_person_for_user(request, pk: int) -> Person:
    try:
        return selectors.person_get(request.user, pk)
    except Person.DoesNotExist:
        raise Http404 from None


@role_required(*PERSONAL_DATA_ROLES)
def search(request):
    query = request.GET.get("q", "").strip()
    results = selectors.person_search(request.user, query) if query else []
    template = "people/_results.html" if request.htmx else "people/search.html"
    return render(request, template, {"query": query, "results": results})


@role_required(*PERSONAL_DATA_ROLES)
def detail(request, pk: int):
    person = _get_person_for_user(request, pk)
    audit_read(actor=request.user, target=person)
    history = AuditEvent.objects.filter(
        target_type=Person._meta.label_lower, target_id=str(person.pk)
    ).select_related("actor")[:20]
    duplicates = (
        [
            c
            for c in services.person_candidates(
                by=request.user,
                full_name=person.full_name,
                birth_year=person.birth_year,
                phone=person.phone,
                id_number=person.claimed_id_number,
                commune=person.commune,
            )
            if c.person.pk != person.pk
        ]
        if person.phone or person.birth_year or person.claimed_id_number
        else []
    )
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "history": history,
            "duplicates": duplicates,
            "referrals": selectors.referrals_for(request.user).filter(existing=person),
        },
    )


@role_required(*PERSONAL_DATA_ROLES)
def register(request):
    communes = communes_within(request.user.jurisdiction)
    form = PersonForm(request.POST or None, communes=communes)
    candidates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        candidates = [
            c
            for c in services.person_candidates(
                by=request.user,
                full_name=data["full_name"],
                birth_year=data["birth_year"],
                phone=data["phone"],
                id_number=data["id_number"],
                commune=data["commune"],
            )
            if not c.strong
        ]
        if candidates and not data["force_new"]:
            messages.warning(request, _("Có hồ sơ có thể trùng. Kiểm tra trước khi tạo mới."))
        else:
            try:
                person, created = services.person_register(
                    by=request.user,
                    full_name=data["full_name"],
                    birth_year=data["birth_year"],
                    sex=data["sex"],
                    phone=data["phone"],
                    id_number=data["id_number"],
                    address=data["address"],
                    commune=data["commune"],
                    force_new=data["force_new"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if created:
                    messages.success(request, _("Đã tạo hồ sơ người dân."))
                else:
                    messages.info(request, _("Người này đã có hồ sơ; đã mở hồ sơ sẵn có."))
                return redirect("people:detail", pk=person.pk)
    return render(request, "people/register.html", {"form": form, "candidates": candidates})


@require_POST
@role_required(*PERSONAL_DATA_ROLES)
def merge(request, pk: int):
    keep = _get_person_for_user(request, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        raise Http404
    duplicate = _get_person_for_user(request, form.cleaned_data["duplicate_id"])
    try:
        services.person_merge(by=request.user, keep=keep, duplicate=duplicate)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã gộp hồ sơ trùng vào hồ sơ này."))
    return redirect("people:detail", pk=keep.pk)


@role_required(*PERSONAL_DATA_ROLES)
def referrals(request):
    """Registrations elsewhere that matched a person of this jurisdiction: the commune
    holding the record judges whether it is the same human."""
    return render(
        request,
        "people/referrals.html",
        {"referrals": selectors.referrals_for(request.user)[:200]},
    )


@require_POST
@role_required(*PERSONAL_DATA_ROLES)
def referral_resolve(request, pk: int):
    try:
        referral = selectors.referral_get(request.user, pk)
    except MatchReferral.DoesNotExist:
        raise Http404 from None
    form = ReferralForm(request.POST)
    if not form.is_valid():
        raise Http404
    same_person = form.cleaned_data["decision"] == "merge"
    try:
        services.referral_resolve(by=request.user, referral=referral, same_person=same_person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Đã gộp hồ sơ đăng ký nơi khác vào hồ sơ này.")
            if same_person
            else _("Đã ghi nhận: không phải cùng một người."),
        )
    return redirect("people:detail", pk=referral.existing_id)

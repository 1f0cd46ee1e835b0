from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import PERSONAL_DATA_ROLES, role_required
from phongdich.audit.labels import read_rows
from phongdich.audit.models import AuditEvent
from phongdich.audit.selectors import person_reads
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.geo.selectors import communes_within

from . import need_to_know, selectors, services
from .forms import MergeForm, PersonForm, ReferralForm
from .models import MatchReferral, Person
from .sections import sections_for

# Who may see which colleagues read a person's records: the commune health station that
# keeps them, and the health officers and administrators who supervise access.
READ_TRAIL_ROLES = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER, Role.COMMUNE_HEALTH_WORKER)


def _get_person_for_user(request, pk: int) -> Person:
    try:
        return selectors.person_get(request.user, pk)
    except Person.DoesNotExist:
        raise Http404 from None


@role_required(*PERSONAL_DATA_ROLES)
def search(request):
    query = request.GET.get("q", "").strip()
    results = selectors.person_search(request.user, query) if query else []
    audit_read_many(
        actor=request.user, action="people.search", records=results, context={"query": query[:100]}
    )
    need_to_know.present(results, request.user)
    template = "people/_results.html" if request.htmx else "people/search.html"
    identifier_only = (
        need_to_know.access_for(request.user.role).search == need_to_know.BY_IDENTIFIER
    )
    return render(
        request,
        template,
        {"query": query, "results": results, "identifier_only": identifier_only},
    )


@role_required(*PERSONAL_DATA_ROLES)
def detail(request, pk: int):
    person = _get_person_for_user(request, pk)
    audit_read(actor=request.user, target=person)
    # Changes here; reads have their own table below, which also covers reads through lists,
    # exports and the person's cases.
    history = (
        AuditEvent.objects.filter(target_type=Person._meta.label_lower, target_id=str(person.pk))
        .exclude(kind=AuditEvent.Kind.READ)
        .select_related("actor")[:20]
    )
    reads = None
    if request.user.has_role(*READ_TRAIL_ROLES):
        reads = Paginator(person_reads(person), 20).get_page(request.GET.get("reads"))
        reads.rows = read_rows(reads.object_list)
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
    need_to_know.present([person, *(c.person for c in duplicates)], request.user)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "history": history,
            "reads": reads,
            "duplicates": duplicates,
            "referrals": selectors.referrals_for(request.user).filter(existing=person),
            "sections": sections_for(request, person),
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
        # person_candidates already keeps to the user's jurisdiction; show the look-alikes
        # with the identifiers this role may see.
        need_to_know.present([c.person for c in candidates], request.user)
        audit_read_many(
            actor=request.user,
            action="people.register_candidates",
            records=[c.person for c in candidates],
        )
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

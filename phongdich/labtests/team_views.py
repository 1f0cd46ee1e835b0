"""Pages of the sampling teams: the teams of the user's units, a team's form, a point's
shifts (assign a team), and a member's shifts of the day. Apart from views.py, which had
grown past the size STYLE.md splits at."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import role_required
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.geo.models import AdminUnit

from . import selectors, team_links, teams
from .forms import add_service_error
from .forms_teams import ShiftCancelForm, ShiftEditForm, ShiftForm, TeamForm, TeamLinkForm
from .models import Campaign, SamplingPoint, SamplingTeam, TeamMember, TeamShift
from .permissions import SAMPLE_ROLES

# The shift services name the moments; the form has the day and the two times.
SHIFT_FIELDS = {"starts_at": "starts", "ends_at": "ends"}

LIST_LIMIT = 200


def _team_units(user):
    unit = user.jurisdiction
    if unit is None:
        return AdminUnit.objects.none()
    return (
        AdminUnit.objects.filter(path__startswith=unit.path, kind__in=teams.TEAM_UNIT_KINDS)
        .select_related("parent")
        .order_by("path")
    )


def _members_input(data):
    return {
        "accounts": list(data["accounts"]),
        "leader": data["leader"],
        "named": data["named"],
        "active": data["active"],
    }


@role_required(*SAMPLE_ROLES)
def team_list(request):
    rows = list(
        teams.teams_visible_to(request.user)
        .select_related("unit__parent")
        .prefetch_related(Prefetch("members", queryset=TeamMember.objects.order_by("-leader")))
        .order_by("-active", "name", "pk")[:LIST_LIMIT]
    )
    # The list shows each team's leader by name and phone.
    audit_read_many(actor=request.user, action="labtests.teams", records=rows)
    return render(request, "labtests/teams.html", {"teams": rows, "limit": LIST_LIMIT})


@role_required(*SAMPLE_ROLES)
def team_new(request):
    form = TeamForm(
        request.POST or None,
        units=_team_units(request.user),
        accounts=teams.eligible_accounts(request.user.jurisdiction)
        if request.user.jurisdiction
        else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = teams.team_create(
                by=request.user, name=data["name"], unit=data["unit"], **_members_input(data)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo tổ %(name)s.") % {"name": team.name})
            return redirect("labtests:teams")
    return render(request, "labtests/team_form.html", {"form": form, "team": None})


def _get_team(request, pk):
    try:
        return teams.team_get(request.user, pk)
    except SamplingTeam.DoesNotExist:
        raise Http404 from None


@role_required(*SAMPLE_ROLES)
def team_edit(request, pk: int):
    team = _get_team(request, pk)
    members = list(team.members.all())
    initial = {
        "name": team.name,
        "active": team.active,
        "accounts": [m.account_id for m in members if m.account_id],
        "leader": next((m.account_id for m in members if m.leader), None),
        "named": "\n".join(
            f"{m.full_name}, {m.phone}" if m.phone else m.full_name
            for m in members
            if not m.account_id
        ),
    }
    form = TeamForm(
        request.POST or None,
        accounts=teams.eligible_accounts(team.unit),
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            teams.team_update(by=request.user, team=team, name=data["name"], **_members_input(data))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu tổ %(name)s.") % {"name": data["name"]})
            return redirect("labtests:teams")
    else:
        audit_read(actor=request.user, target=team, action="labtests.team")
    return render(request, "labtests/team_form.html", {"form": form, "team": team})


@role_required(*SAMPLE_ROLES)
def point_shifts(request, pk: int):
    """A point's shifts, and the form that assigns a team to one."""
    try:
        point = selectors.point_get(request.user, pk)
    except SamplingPoint.DoesNotExist:
        raise Http404 from None
    form = ShiftForm(
        request.POST or None,
        teams=teams.teams_for_commune(point.commune).order_by("name", "pk"),
        initial={"day": max(point.round.starts_on, min(timezone.localdate(), point.round.ends_on))},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.window()
        try:
            shift = teams.shift_assign(
                by=request.user,
                team=data["team"],
                point=point,
                starts_at=starts_at,
                ends_at=ends_at,
            )
        except ValidationError as exc:
            add_service_error(form, exc, fields=SHIFT_FIELDS)
        else:
            messages.success(
                request,
                _("Đã phân công tổ %(team)s ngày %(day)s.")
                % {"team": shift.team.name, "day": f"{data['day']:%d/%m/%Y}"},
            )
            return redirect("labtests:point_shifts", pk=point.pk)
    shifts = point.shifts.select_related("team", "cancelled_by").order_by("starts_at", "pk")[
        :LIST_LIMIT
    ]
    return render(
        request,
        "labtests/point_shifts.html",
        {
            "point": point,
            "form": form,
            "shifts": shifts,
            "is_open": point.round.status == point.round.Status.OPEN,
        },
    )


def _get_shift(request, pk):
    try:
        return teams.shift_get(request.user, pk)
    except TeamShift.DoesNotExist:
        raise Http404 from None


@role_required(*SAMPLE_ROLES)
def shift_edit(request, pk: int):
    """Change a shift's team or hours. The form carries the version of the shift it was
    shown, so an edit made on a page older than another officer's edit is refused."""
    shift = _get_shift(request, pk)
    point = shift.point
    starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    form = ShiftEditForm(
        request.POST or None,
        teams=teams.teams_for_commune(point.commune).order_by("name", "pk"),
        initial={
            "team": shift.team_id,
            "day": starts.date(),
            "starts": starts.time(),
            "ends": ends.time(),
            "based_on": teams.shift_version(shift),
        },
    )
    # A cancelled shift is shown as such and never edited again.
    is_open = point.round.status == point.round.Status.OPEN and not shift.cancelled
    if request.method == "POST" and is_open and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.window()
        try:
            teams.shift_update(
                by=request.user,
                shift=shift,
                team=data["team"],
                starts_at=starts_at,
                ends_at=ends_at,
                based_on=data["based_on"],
            )
        except ValidationError as exc:
            add_service_error(form, exc, fields=SHIFT_FIELDS)
        else:
            messages.success(
                request,
                _("Đã sửa ca của tổ %(team)s ngày %(day)s.")
                % {"team": data["team"].name, "day": f"{data['day']:%d/%m/%Y}"},
            )
            return redirect("labtests:point_shifts", pk=point.pk)
    return render(
        request,
        "labtests/shift_form.html",
        {"shift": shift, "point": point, "form": form, "is_open": is_open},
    )


@role_required(*SAMPLE_ROLES)
def shift_cancel(request, pk: int):
    """Confirm, then cancel a shift (a POST only cancels; the page shows what it cancels)."""
    shift = _get_shift(request, pk)
    point = shift.point
    form = ShiftCancelForm(request.POST or None, initial={"based_on": teams.shift_version(shift)})
    is_open = point.round.status == point.round.Status.OPEN and not shift.cancelled
    if request.method == "POST" and is_open and form.is_valid():
        try:
            teams.shift_cancel(
                by=request.user,
                shift=shift,
                based_on=form.cleaned_data["based_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Đã hủy ca của tổ %(team)s ngày %(day)s.")
                % {
                    "team": shift.team.name,
                    "day": f"{timezone.localtime(shift.starts_at):%d/%m/%Y}",
                },
            )
            return redirect("labtests:point_shifts", pk=point.pk)
    return render(
        request,
        "labtests/shift_cancel.html",
        {"shift": shift, "point": point, "form": form, "is_open": is_open},
    )


@role_required(*SAMPLE_ROLES)
def campaign_team_names(request, pk: int):
    """The campaign's free-text team names that point at no team, per commune, and the form
    that links every row of one name to the team an officer picks."""
    try:
        campaign = selectors.campaign_reaching_get(request.user, pk)
    except Campaign.DoesNotExist:
        raise Http404 from None
    return _team_names(request, campaign)


@role_required(*SAMPLE_ROLES)
def team_names(request):
    """The same for the samples and pools of no campaign (a sampling point's daily work, a
    station's rapid tests) in the user's commune or district."""
    return _team_names(request, None)


def _team_names(request, campaign: Campaign | None):
    form = None
    if request.method == "POST":
        form = TeamLinkForm(
            request.POST,
            communes=team_links.communes_to_link(request.user),
            teams=team_links.teams_to_link(request.user),
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                counts = team_links.team_name_link(
                    by=request.user,
                    campaign=campaign,
                    commune=data["commune"],
                    name=data["name"],
                    team=data["team"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Đã liên kết “%(name)s” với tổ %(team)s: %(samples)s mẫu, %(pools)s "
                        "mẫu gộp, %(points)s điểm lấy mẫu."
                    )
                    % {"name": data["name"], "team": data["team"].name, **counts},
                )
                if campaign is None:
                    return redirect("labtests:team_names")
                return redirect("labtests:campaign_team_names", pk=campaign.pk)
    rows = team_links.unlinked_names(request.user, campaign, limit=LIST_LIMIT)
    return render(
        request,
        "labtests/team_names.html",
        {"campaign": campaign, "rows": rows, "form": form, "limit": LIST_LIMIT},
    )


@role_required(*SAMPLE_ROLES)
def my_shifts(request):
    """A team member's shifts of the day, each a link to the point's sampling form."""
    rows = list(teams.shifts_today_for(request.user)[:LIST_LIMIT])
    return render(
        request, "labtests/my_shifts.html", {"shifts": rows, "today": timezone.localdate()}
    )

"""The printable outreach list ("không bỏ sót"): the commune team takes it door to door and
writes each person's outcome by hand, then staff enter the outcomes on the page. Same
filters as the list page; reading it is an audited read of everyone printed."""

from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone

from phongdich.accounts.permissions import role_required
from phongdich.audit.services import audit_read_many
from phongdich.lib.files import html_to_pdf, pdf_response
from phongdich.people import need_to_know

from . import outreach
from .forms import OutreachFilterForm
from .permissions import RECORD_ROLES
from .views import _outreach

# A paper list a team carries: past this many rows the paper says how many more there are
# and the team prints the rest with a narrower filter (an age band, a dose), so one print
# never renders tens of thousands of rows in one request.
PRINT_MAX = 1500


def _filter_words(form) -> list[str]:
    data = form.cleaned_data
    words = []
    if data["min_age"] is not None or data["max_age"] is not None:
        low = data["min_age"] if data["min_age"] is not None else 0
        words.append(
            f"từ {low} tuổi"
            + (f" đến {data['max_age']} tuổi" if data["max_age"] is not None else "")
        )
    words.append(str(dict(OutreachFilterForm.NEEDS)[data["need"] or ""]).lower())
    if data["dose_number"]:
        words.append(f"cần tiêm mũi {data['dose_number']}")
    if data["min_days_overdue"]:
        words.append(f"quá hạn từ {data['min_days_overdue']} ngày")
    if data["risk_group"]:
        choices = dict(form.fields["risk_group"].choices)
        words.append(str(choices[data["risk_group"]]).lower())
    if data["without_outcome"]:
        words.append("chưa có kết quả vận động")
    return words


@role_required(*RECORD_ROLES)
def outreach_pdf(request):
    form, filters, day = _outreach(request)
    if filters is None:
        return redirect("vaccination:outreach")
    commune = form.cleaned_data["commune"]
    found = outreach.outreach_list(commune, filters, day, people_for=PRINT_MAX, offset=0)
    entries = found.entries
    people = [e.person for e in entries]
    audit_read_many(actor=request.user, action="vaccination.outreach_print", records=people)
    need_to_know.present(people, request.user)
    html = render_to_string(
        "vaccination/pdf/outreach.html",
        {
            "commune": commune,
            "found": found,
            "entries": entries,
            "more": max(found.total - len(entries), 0),
            "filters": _filter_words(form),
            "day": day,
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    return pdf_response(
        html_to_pdf(html), f"danh-sach-van-dong-tiem-{commune.code}-{day:%Y%m%d}.pdf"
    )

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
from .permissions import RECORD_ROLES
from .views import _outreach

# A paper list a team carries: past this many rows the paper says how many more there are
# and the team prints the rest with a narrower filter (an age band, a dose), so one print
# never renders tens of thousands of rows in one request.
PRINT_MAX = 1500


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
            "filters": form.words(),
            "day": day,
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    return pdf_response(
        html_to_pdf(html), f"danh-sach-van-dong-tiem-{commune.code}-{day:%Y%m%d}.pdf"
    )

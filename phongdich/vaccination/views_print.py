"""The printable outreach list ("không bỏ sót"): the commune team takes it door to door and
writes each person's outcome by hand, then staff enter the outcomes on the page. Same
filters as the list page; reading it is an audited read of everyone printed."""

from itertools import chain

from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import role_required
from phongdich.audit.services import StreamedRead, audit_read_many
from phongdich.lib.files import html_to_pdf, pdf_response
from phongdich.people import need_to_know

from . import outreach
from .permissions import RECORD_ROLES
from .views import _outreach

# The PDF a team carries: past this many rows the paper says how many more there are and
# points to the whole list's print (outreach_print below), since weasyprint lays out the
# whole document in memory before the first byte.
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


def _cell(value) -> str:
    return f"<td>{escape(value)}</td>" if value not in (None, "") else "<td></td>"


def _row(number: int, e) -> str:
    """One person's row of the print, the PDF's columns, as a plain string: the template
    engine's per-row overhead is the part of the print that grows with a 20,000-row list."""
    person, nxt = e.person, e.status.next
    born = f"{person.birth_date:%d/%m/%Y}" if person.birth_date else (person.birth_year or "")
    outcome = ""
    if e.outcome:
        outcome = str(e.outcome.get_kind_display())
        if e.outcome.until:
            outcome += " " + _("đến %(day)s") % {"day": f"{e.outcome.until:%d/%m/%Y}"}
        if e.outcome.reason:
            outcome += f": {e.outcome.reason}"
    return "".join(
        [
            "<tr>",
            _cell(number),
            _cell(person.full_name),
            _cell(born),
            _cell(person.get_sex_display()),
            _cell(person.shown_phone),
            _cell(person.address),
            _cell(_("%(n)s mũi") % {"n": e.status.doses}),
            _cell(_("Mũi %(n)s") % {"n": nxt.dose_number} if nxt.dose_number else ""),
            _cell(f"{nxt.earliest:%d/%m/%Y}" if nxt.earliest else ""),
            _cell(e.days_overdue or ""),
            _cell(outcome),
            '<td class="write"></td></tr>\n',
        ]
    )


@role_required(*RECORD_ROLES)
def outreach_print(request):
    """The whole list of a commune for printing from the browser, however long: the page is
    streamed in keyset batches of outreach.PRINT_BATCH rows (flat memory, three queries a
    batch: its rows, their outcomes, their audit subjects), one audited read for the print whose subjects are added batch by batch just
    before each batch is sent (audit.services.StreamedRead)."""
    form, filters, day = _outreach(request)
    if filters is None:
        return redirect("vaccination:outreach")
    commune = form.cleaned_data["commune"]
    found = outreach.outreach_list(commune, filters, day, people_for=0)
    batches = outreach.outreach_batches(commune, filters, day, size=outreach.PRINT_BATCH)
    first = next(batches, [])
    trail = StreamedRead(
        actor=request.user,
        action="vaccination.outreach_print",
        count=found.total,
        context={"commune": commune.code, "print": "html"},
    )
    # The event is written here, inside the request (its address, its user); the later
    # batches only add their subjects.
    trail.add(e.person for e in first)
    context = {
        "commune": commune,
        "found": found,
        "filters": form.words(),
        "day": day,
        "printed_at": timezone.localtime(),
        "back": f"{reverse('vaccination:outreach')}?{request.GET.urlencode()}",
    }
    head = render_to_string("vaccination/print/outreach_head.html", context, request=request)

    def body():
        yield head
        listed = 0
        for n, batch in enumerate(chain([first], batches)):
            if n:
                trail.add(e.person for e in batch)
            need_to_know.present([e.person for e in batch], request.user)
            yield "".join(_row(listed + i, e) for i, e in enumerate(batch, start=1))
            listed += len(batch)
        yield render_to_string(
            "vaccination/print/outreach_tail.html", {**context, "listed": listed}
        )

    response = StreamingHttpResponse(body(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"  # personal data: never kept by a proxy or cache
    return response

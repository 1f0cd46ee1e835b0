"""The care-team queue's rows, built in Python.

A commune in a wave has thousands of F0 at home; the template engine spends about half a
millisecond per row (tag and variable resolution), so 2,000 rows took a second. Plain
string building with escaping does the same rows in a few tens of milliseconds. The markup
matches the rest of the site (table.responsive, badges, data-label) and every value that
comes from the database is escaped.
"""

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Alert, SeverityLevel


def queue_rows_html(cases, *, base: str, query: str, csrf_token: str, now) -> SafeString:
    labels = {
        "f0": escape(_("F0")),
        "alert": escape(_("Cảnh báo")),
        "last": escape(_("Phiếu gần nhất")),
        "risk": escape(_("Nguy cơ")),
        "act": escape(_("Xử lý")),
    }
    ack, res, esc = escape(_("Tiếp nhận")), escape(_("Đã xử lý")), escape(_("Chuyển tuyến"))
    call, ago, never, none = (
        escape(_("Gọi")),
        escape(_("giờ trước")),
        escape(_("Chưa có phiếu")),
        escape(_("Không")),
    )
    risk_help = escape(_("Số yếu tố nguy cơ: từ 50 tuổi, có bệnh nền, chưa tiêm đủ liều"))
    kinds = {k: escape(v) for k, v in Alert.Kind.choices}
    statuses = {k: escape(v) for k, v in Alert.Status.choices}
    severities = {k: escape(v) for k, v in SeverityLevel.choices}
    csrf = escape(csrf_token)
    query = escape(query)
    out = []
    for case in cases:
        person = case.person
        row_class = (
            "row-danger" if case.open_danger_alerts else "row-warn" if case.open_alerts else ""
        )
        alerts_html, actions_html = [], []
        for alert in case.open_alert_list:
            badge = "danger" if alert.kind == Alert.Kind.DANGER else "warn"
            alerts_html.append(
                f'<div class="alert-line"><span class="badge {badge}">{kinds[alert.kind]} · '
                f"{statuses[alert.status]}</span> <span>"
                f"{escape('; '.join(alert.reasons))}</span></div>"
            )
            url = f"{base}alerts/{alert.pk}/"
            ack_button = (
                f'<button name="action" value="acknowledge" class="secondary">{ack}</button>'
                if alert.status == Alert.Status.OPEN
                else ""
            )
            # Closing and escalating go to a page that says what will happen and asks for
            # the outcome (or the facility): a plain link, so it works without JS.
            ack_form = (
                f'<form method="post" action="{url}" class="inline" hx-post="{url}?{query}" '
                f'hx-target="#queue" hx-swap="innerHTML">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
                f'<input type="hidden" name="next" value="queue">{ack_button}</form>'
                if ack_button
                else ""
            )
            actions_html.append(
                f"{ack_form}"
                f'<a class="button secondary" href="{url}resolve/?next=queue">{res}</a>'
                f'<a class="button danger" href="{base}{case.pk}/transfer/?alert={alert.pk}">'
                f"{esc}</a>"
            )
        if not alerts_html:
            alerts_html.append(f'<span class="badge ok">{none}</span>')
        if person.phone:
            actions_html.append(
                f'<a class="button secondary" href="tel:{escape(person.phone)}">{call}</a>'
            )
        if case.last_check_at:
            hours = int((now - case.last_check_at).total_seconds() // 3600)
            local = timezone.localtime(case.last_check_at).strftime("%d/%m %H:%M")
            last = f'{local} <span class="muted">({hours} {ago})</span>'
        else:
            last = f'<span class="badge warn">{never}</span>'
        risk = (
            f'<span class="badge warn risk-help" title="{risk_help}">{case.risk_score}</span>'
            if case.risk_score
            else "—"
        )
        out.append(
            f'<tr id="case-{case.pk}" class="{row_class}">'
            f'<td data-label="{labels["f0"]}"><a href="{base}{case.pk}/">'
            f"{escape(person.full_name)}</a> "
            f'<span class="muted">{person.birth_year or ""} · '
            f"{escape(person.phone_display)}</span></td>"
            f'<td data-label="{labels["alert"]}">{"".join(alerts_html)}</td>'
            f'<td data-label="{labels["last"]}">{last}</td>'
            f'<td data-label="{labels["risk"]}">{risk} {severities.get(case.severity, "")}</td>'
            f'<td data-label="{labels["act"]}">{"".join(actions_html)}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every database value above is escaped

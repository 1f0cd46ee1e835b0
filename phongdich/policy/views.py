"""The province's policy pages: one list, form, deactivation and export for every
registered policy table (registry.py). Province admins only; rows scoped by jurisdiction."""

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import ADMIN_ROLES, role_required
from phongdich.geo.fields import place_label
from phongdich.lib.files import xlsx_response
from phongdich.lib.xlsx import build_workbook

from . import selectors, services
from .forms import policy_form
from .registry import PolicyTable

PAGE_SIZE = 50


def _display(row, name: str) -> str:
    field = row._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(o) for o in getattr(row, name).all()) or "—"
    value = getattr(row, name)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(getattr(row, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return place_label(value)


def _header(table: PolicyTable) -> list[str]:
    return [
        str(capfirst(table.model._meta.get_field(name).verbose_name)) for name in table.list_fields
    ]


def _counts(user, table: PolicyTable) -> dict:
    aggregates = {"total": Count("pk")}
    if table.flag_lookup:
        aggregates["unconfirmed"] = Count("pk", filter=Q(**table.flag_lookup))
    if table.active_field:
        aggregates["active"] = Count("pk", filter=Q(**{table.active_field: True}))
    return selectors.scoped(user, table.model).aggregate(**aggregates)


@role_required(*ADMIN_ROLES)
def index(request):
    groups: dict[str, list] = {}
    for table in selectors.tables_for(request.user):
        groups.setdefault(str(table.group), []).append(
            {"table": table, "counts": _counts(request.user, table)}
        )
    return render(request, "policy/index.html", {"groups": groups})


@role_required(*ADMIN_ROLES)
def table_list(request, slug: str):
    table = selectors.table_get(request.user, slug)
    rows = selectors.rows_for(request.user, table, request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [
        {
            "row": row,
            "cells": [
                {"label": label, "value": _display(row, name)}
                for label, name in zip(_header(table), table.list_fields, strict=True)
            ],
            "regulation": table.regulation_of(row),
            "unconfirmed": table.is_unconfirmed(row),
            "active": table.is_active(row),
        }
        for row in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "policy/list.html",
        {
            "table": table,
            "header": _header(table),
            "lines": lines,
            "page": page,
            "filters": [
                {**f, "current": request.GET.get(f["name"], "")}
                for f in selectors.filter_choices(request.user, table)
            ],
            "params": request.GET,
            "query": query.urlencode(),
        },
    )


def _save_form(request, table: PolicyTable, row=None):
    form = policy_form(table, request.user, data=request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        # An edit writes only what this admin changed on the form, so two admins editing
        # different fields of one row at once both keep their change.
        names = form.changed_data if row is not None else list(form.fields)
        values = {name: form.cleaned_data[name] for name in names if name in table.fields}
        try:
            if row is None:
                services.policy_row_create(
                    by=request.user,
                    table=table,
                    values=values,
                    submission=form.submission(request.user),
                )
            else:
                services.policy_row_update(by=request.user, table=table, row=row, values=values)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu. Thay đổi được ghi vào nhật ký."))
            return redirect("policy:list", slug=table.slug)
    return render(
        request,
        "policy/form.html",
        {
            "table": table,
            "form": form,
            "row": row,
            "regulation": table.regulation_of(row) if row else "",
            "unconfirmed": table.is_unconfirmed(row) if row else None,
        },
    )


@role_required(*ADMIN_ROLES)
def row_create(request, slug: str):
    table = selectors.table_get(request.user, slug)
    if not table.can_create:
        messages.error(request, _("Bảng này không cho thêm dòng mới."))
        return redirect("policy:list", slug=slug)
    return _save_form(request, table)


@role_required(*ADMIN_ROLES)
def row_edit(request, slug: str, pk: int):
    table = selectors.table_get(request.user, slug)
    return _save_form(request, table, selectors.row_get(request.user, table, pk))


@role_required(*ADMIN_ROLES)
def row_deactivate(request, slug: str, pk: int):
    """GET asks for confirmation; POST stops the rules reading the row (it stays, and can be
    reactivated)."""
    table = selectors.table_get(request.user, slug)
    row = selectors.row_get(request.user, table, pk)
    if not table.active_field:
        messages.error(request, _("Dòng của bảng này không thể ngừng áp dụng."))
        return redirect("policy:list", slug=slug)
    if request.method == "POST":
        services.policy_row_set_active(by=request.user, table=table, row=row, active=False)
        messages.success(request, _("Đã ngừng áp dụng dòng này."))
        return redirect("policy:list", slug=slug)
    return render(request, "policy/confirm.html", {"table": table, "row": row})


@require_POST
@role_required(*ADMIN_ROLES)
def row_activate(request, slug: str, pk: int):
    table = selectors.table_get(request.user, slug)
    row = selectors.row_get(request.user, table, pk)
    try:
        services.policy_row_set_active(by=request.user, table=table, row=row, active=True)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã áp dụng lại dòng này."))
    return redirect("policy:list", slug=slug)


@role_required(*ADMIN_ROLES)
def table_export(request, slug: str):
    table = selectors.table_get(request.user, slug)
    rows = selectors.rows_for(request.user, table, request.GET)
    header = [*_header(table), _("Văn bản quy định"), _("Chưa xác nhận"), _("Đang áp dụng")]

    def lines():
        # With a chunk size, iterator() keeps prefetch_related (focal units' users).
        for row in rows.iterator(chunk_size=500):
            unconfirmed = table.is_unconfirmed(row)
            yield [
                *(_display(row, name) for name in table.list_fields),
                table.regulation_of(row),
                "" if unconfirmed is None else (_("Có") if unconfirmed else _("Không")),
                _("Có") if table.is_active(row) else _("Không"),
            ]

    content = build_workbook(str(table.label), header, lines())
    return xlsx_response(content, f"chinh-sach-{table.slug}.xlsx")

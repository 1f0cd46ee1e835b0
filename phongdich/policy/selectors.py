"""Reads for the policy pages, scoped to the province admin's jurisdiction."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.geo.fields import place_label, place_select_related
from phongdich.geo.models import AdminUnit

from . import registry
from .registry import PolicyTable


def check_table_access(user, table: PolicyTable) -> None:
    """Province-wide tables need a province admin of the province itself; tables scoped by
    unit need a jurisdiction (their rows are then limited to it)."""
    unit = getattr(user, "jurisdiction", None)
    if unit is None:
        raise PermissionDenied
    if table.unit_field is None and unit.kind != AdminUnit.Kind.PROVINCE:
        raise PermissionDenied


def tables_for(user) -> list[PolicyTable]:
    out = []
    for table in registry.tables():
        try:
            check_table_access(user, table)
        except PermissionDenied:
            continue
        out.append(table)
    return out


def table_get(user, slug: str) -> PolicyTable:
    table = registry.get(slug)
    if table is None:
        raise Http404
    check_table_access(user, table)
    return table


def scoped(user, model) -> QuerySet:
    """All rows of `model` the user may pick or edit: units of their subtree, users of their
    subtree, rows of a unit-scoped policy table inside it, every row of anything else."""
    qs = model._default_manager.all()
    if model is AdminUnit:
        unit = user.jurisdiction
        return qs.filter(path__startswith=unit.path) if unit else qs.none()
    if model is get_user_model():
        return scope_to_jurisdiction(qs.filter(is_active=True), user, "jurisdiction")
    table = registry.for_model(model)
    if table is not None and table.unit_field:
        return scope_to_jurisdiction(qs, user, table.unit_field)
    return qs


def _relations(table: PolicyTable) -> tuple[list[str], list[str]]:
    single, many = [], []
    for name in table.list_fields:
        field = table.model._meta.get_field(name)
        if field.many_to_many:
            many.append(name)
        elif isinstance(field, models.ForeignKey):
            single.append(name)
    return single, many


def rows_for(user, table: PolicyTable, params=None) -> QuerySet:
    """The table's rows in the user's scope, filtered by the list page's query string."""
    check_table_access(user, table)
    params = params or {}
    qs = scoped(user, table.model)
    single, many = _relations(table)
    single = [*single, *table.related_paths]
    # Units and offices are shown with their district (place_label): join what it reads.
    for name in list(single):
        field = table.model._meta.get_field(name.split("__")[0])
        if "__" not in name and isinstance(field, models.ForeignKey):
            single += place_select_related(field.related_model, f"{name}__")
    if single:
        qs = qs.select_related(*single)
    if many:
        qs = qs.prefetch_related(*many)
    if table.ordering:
        qs = qs.order_by(*table.ordering)
    state = params.get("state", "")
    if table.active_field and state in ("active", "inactive"):
        qs = qs.filter(**{table.active_field: state == "active"})
    if params.get("unconfirmed") == "1" and table.flag_lookup:
        qs = qs.filter(**table.flag_lookup)
    for name in table.filter_fields:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        field = table.model._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            if not value.isdigit():
                continue
            qs = qs.filter(**{f"{name}_id": int(value)})
        elif isinstance(field, models.BooleanField):
            if value in ("1", "0"):
                qs = qs.filter(**{name: value == "1"})
        elif value in {str(choice) for choice, _label in field.choices or ()}:
            qs = qs.filter(**{name: value})
    text = (params.get("q") or "").strip()[:100]
    if text and table.search_fields:
        condition = Q()
        for name in table.search_fields:
            condition |= Q(**{f"{name}__icontains": text})
        qs = qs.filter(condition)
    return qs


def row_get(user, table: PolicyTable, pk) -> models.Model:
    """One row in the user's scope; 404 outside it, so its existence is not revealed."""
    check_table_access(user, table)
    try:
        return scoped(user, table.model).get(pk=int(pk))
    except (table.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def filter_choices(user, table: PolicyTable) -> list[dict]:
    """The list page's filter selects: (name, label, [(value, label)])."""
    out = []
    for name in table.filter_fields:
        field = table.model._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            related = field.related_model
            choices = scoped(user, related).select_related(*place_select_related(related))
            options = [(str(o.pk), place_label(o)) for o in choices[:200]]
        elif isinstance(field, models.BooleanField):
            options = [("1", str(_("Có"))), ("0", str(_("Không")))]
        else:
            options = [(str(value), str(label)) for value, label in field.choices or ()]
        out.append({"name": name, "label": capfirst(field.verbose_name), "options": options})
    return out

"""The province's editable policy tables: each app registers its policy models here.

A registration says which fields the province may edit, which columns the list shows,
where the row's regulation and its "confirmed" flag live, and which administrative-unit
field scopes the row. The policy pages (views.py) are generic over these registrations,
so a later app (vaccination, epidemic level) gets the same list, form, deactivation, audit
and XLSX export by registering its model in its `AppConfig.ready()`:

    from phongdich.policy.registry import PolicyTable, register
    register(PolicyTable(slug="vaccination-doses", model=DoseRule, ...))
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class PolicyTable:
    slug: str  # URL segment: /policy/<slug>/
    model: type[models.Model]
    label: str | Promise
    group: str | Promise  # the app the table belongs to, for the index page
    fields: tuple[str, ...]  # editable fields, in form order
    list_fields: tuple[str, ...]  # columns of the list page and the XLSX export
    description: str | Promise = ""  # what the table changes, shown above the list
    # Where the row cites its regulation ("policy.regulation" follows a foreign key);
    # `regulation_text` when the whole table is the province's own choice.
    regulation_field: str | None = None
    regulation_text: str | Promise = ""
    # Exactly one of these when rows carry the flag: True in `confirmed_field` means checked
    # against the regulation's text; True in `unconfirmed_field` means the opposite.
    confirmed_field: str | None = None
    unconfirmed_field: str | None = None
    # Rows are deactivated, never deleted; a table without the field cannot deactivate.
    active_field: str | None = "active"
    # An AdminUnit foreign key: a province admin sees and edits rows inside their
    # jurisdiction only. Tables without one are province-wide and need a province admin
    # whose jurisdiction is the province itself.
    unit_field: str | None = None
    can_create: bool = True
    # Set when a row is created, then fixed: other records refer to them (a ticket's branch
    # code, a passage's rule key, a quarantine's policy key).
    fixed_fields: tuple[str, ...] = ()
    filter_fields: tuple[str, ...] = ()  # choice, boolean or foreign-key fields to filter by
    search_fields: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()

    def is_unconfirmed(self, row) -> bool | None:
        if self.confirmed_field:
            return not _follow(row, self.confirmed_field)
        if self.unconfirmed_field:
            return bool(_follow(row, self.unconfirmed_field))
        return None

    def regulation_of(self, row) -> str:
        if self.regulation_field:
            return _follow(row, self.regulation_field) or ""
        return str(self.regulation_text)

    def is_active(self, row) -> bool:
        return bool(getattr(row, self.active_field)) if self.active_field else True

    @property
    def flag_lookup(self) -> dict | None:
        """The ORM filter selecting unconfirmed rows, or None without a flag."""
        if self.confirmed_field:
            return {self.confirmed_field.replace(".", "__"): False}
        if self.unconfirmed_field:
            return {self.unconfirmed_field.replace(".", "__"): True}
        return None

    @property
    def related_paths(self) -> tuple[str, ...]:
        """Foreign keys followed by the regulation or flag paths, for select_related."""
        paths = (self.regulation_field, self.confirmed_field, self.unconfirmed_field)
        return tuple(p.rsplit(".", 1)[0].replace(".", "__") for p in paths if p and "." in p)

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)


def _follow(row, path: str):
    value = row
    for part in path.split("."):
        value = getattr(value, part)
    return value


_TABLES: dict[str, PolicyTable] = {}


def register(table: PolicyTable) -> None:
    existing = _TABLES.get(table.slug)
    if existing is not None and existing.model is not table.model:
        raise ValueError(f"policy table slug {table.slug!r} is already taken")
    _TABLES[table.slug] = table


def tables() -> list[PolicyTable]:
    return list(_TABLES.values())


def get(slug: str) -> PolicyTable | None:
    return _TABLES.get(slug)


def for_model(model) -> PolicyTable | None:
    return next((t for t in _TABLES.values() if t.model is model), None)

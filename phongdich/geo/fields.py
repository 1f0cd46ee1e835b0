"""One place picker for every form that chooses an administrative unit.

A flat list of 560 commune names is ambiguous (the province has two "Phường Bắc Sơn" and
three "Xã Xuân Lộc"), so every place choice goes through `PlaceChoiceField`:

- each option reads "Xã X, Huyện Y" (the unit with its district), never a bare name;
- the options are grouped by district (`<optgroup label="Huyện Y">`), which is already a
  district-then-commune choice without JavaScript;
- `geo/picker.js` adds a district select that narrows the list and a type-to-search box
  (diacritics optional, arrows and Enter) for the hotline agent's keyboard;
- when the user may choose exactly one unit (a commune worker), that unit is preset and a
  required field offers no empty "---------" line.
"""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import AdminUnit


def district_group(unit: AdminUnit) -> str:
    """Communes under their district; a district or province is its own group."""
    if unit.kind == AdminUnit.Kind.COMMUNE and unit.parent_id:
        return unit.parent.name
    return unit.name


def province_group(unit: AdminUnit) -> str:
    """Districts under their province (the checkpoint's origin: anywhere in the country)."""
    if unit.kind == AdminUnit.Kind.DISTRICT and unit.parent_id:
        return unit.parent.name
    if unit.kind == AdminUnit.Kind.COMMUNE and unit.parent_id and unit.parent.parent_id:
        return unit.parent.parent.name
    return unit.name


def unit_label(unit: AdminUnit) -> str:
    """'Xã X, Huyện Y'; a district as 'Huyện Y, Tỉnh Z'; a province by its name."""
    return unit.label() if unit.parent_id else unit.name


def placed_group(obj) -> str:
    """An office or facility (anything with an `admin_unit`) under its place's district."""
    return district_group(obj.admin_unit)


def placed_label(obj) -> str:
    """'UBND Phường Bắc Sơn, Thị xã Bỉm Sơn': the office with its place, never a bare name
    that two communes share ('Công an huyện (Thị xã Bỉm Sơn)' when the name lacks it)."""
    name, place = str(obj), obj.admin_unit
    where = unit_label(place) if place.kind == AdminUnit.Kind.COMMUNE else place.name
    if name.endswith(place.name):
        return name + where[len(place.name) :]
    return f"{name} ({where})"


def is_placed(model) -> bool:
    """True for AdminUnit and for models placed in one (an `admin_unit` foreign key)."""
    if model is AdminUnit:
        return True
    try:
        field = model._meta.get_field("admin_unit")
    except Exception:  # FieldDoesNotExist
        return False
    return getattr(field, "related_model", None) is AdminUnit


def place_label(obj) -> str:
    """Any unit or placed object as text that tells same-named places apart."""
    if isinstance(obj, AdminUnit):
        return unit_label(obj)
    if is_placed(type(obj)):
        return placed_label(obj)
    return str(obj)


def place_select_related(model, prefix: str = "") -> list[str]:
    """The joins `place_label` needs for `model` reached through `prefix`."""
    if model is AdminUnit:
        return [f"{prefix}parent"]
    return [f"{prefix}admin_unit__parent"] if is_placed(model) else []


def place_ordering(model) -> list[str]:
    """The order that keeps each district's options together."""
    if model is AdminUnit:
        return ["path"]
    return ["admin_unit__path", "pk"] if is_placed(model) else []


def grouped(objects, group_of, choice_of) -> list[tuple[str, list]]:
    """[(group, [choice, ...]), ...] in the order each group first appears: a queryset
    ordered by path keeps each district together, and one that is not (offices by name)
    still gets one group per district rather than the same district many times."""
    groups: dict[str, list] = {}
    for obj in objects:
        groups.setdefault(group_of(obj), []).append(choice_of(obj))
    return list(groups.items())


def place_group(obj) -> str:
    return district_group(obj) if isinstance(obj, AdminUnit) else placed_group(obj)


class GroupedChoiceIterator(ModelChoiceIterator):
    """Options grouped by `field.group_from_instance`, in the queryset's order (units are
    ordered by path, so each district's communes come together)."""

    def __iter__(self):
        if self.field.empty_label is not None and not self.field.fixed():
            yield ("", self.field.empty_label)
        queryset = self.queryset
        if not queryset._prefetch_related_lookups:
            queryset = queryset.iterator()
        yield from grouped(queryset, self.field.group_from_instance, self.choice)

    def __len__(self):
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or self.queryset.exists()


class PlaceSelect(forms.Select):
    """A grouped select marked for geo/picker.js; the words the script shows come from
    here so that they are translated with the page."""

    def __init__(self, attrs=None):
        base = {
            "data-place-picker": "",
            "data-search-label": _("Tìm theo tên (không cần dấu)"),
            "data-district-label": _("Quận/huyện"),
            "data-all-label": _("— Mọi quận/huyện —"),
            "data-none-label": _("Không có nơi nào khớp"),
        }
        super().__init__({**base, **(attrs or {})})


class PlaceChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options are labelled with their district and grouped by it.

    `group_by` and `label_by` take a unit (or any object) and return text; the defaults
    suit AdminUnit communes. With one choice allowed, it is preset (see module doc)."""

    iterator = GroupedChoiceIterator
    widget = PlaceSelect

    def __init__(self, queryset, *, group_by=district_group, label_by=unit_label, **kwargs):
        self.group_by, self.label_by = group_by, label_by
        self._only = None
        preset = "initial" not in kwargs
        super().__init__(queryset, **kwargs)
        # Set after ModelChoiceField.__init__, which drops the empty line of any required
        # field that has an initial value: here the empty line goes only when one unit is left.
        if preset:
            self.initial = self.only_pk

    def _set_queryset(self, queryset):
        self._only = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._only = None
        if result.initial == self.only_pk:  # the bound method must follow its own copy
            result.initial = result.only_pk
        return result

    def only_choice(self):
        """The single unit this field offers, or None (one query, cached per queryset)."""
        if self._only is None:
            found = list(self.queryset[:2]) if self.queryset is not None else []
            self._only = (found[0] if len(found) == 1 else False,)
        return self._only[0] or None

    def only_pk(self):
        only = self.only_choice()
        return only.pk if only else None

    def fixed(self) -> bool:
        """Required with a single choice: no empty line to pick by mistake."""
        return self.required and self.only_choice() is not None

    def group_from_instance(self, obj) -> str:
        return str(self.group_by(obj))

    def label_from_instance(self, obj) -> str:
        return str(self.label_by(obj))


def origin_label(unit: AdminUnit) -> str:
    if unit.kind == AdminUnit.Kind.PROVINCE:
        return _("%(name)s (cả tỉnh, không rõ huyện)") % {"name": unit.name}
    return unit_label(unit)


def place_field_for(model, **kwargs) -> PlaceChoiceField:
    """The picker for a foreign key to `model` (a unit, or an office placed in one)."""
    if model is AdminUnit:
        return PlaceChoiceField(**kwargs)
    return PlaceChoiceField(group_by=placed_group, label_by=placed_label, **kwargs)


class OriginChoiceField(PlaceChoiceField):
    """Any province or district of the country, grouped by province."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("group_by", province_group)
        kwargs.setdefault("label_by", origin_label)
        kwargs.setdefault(
            "widget",
            PlaceSelect(
                attrs={
                    "data-district-label": _("Tỉnh/thành phố"),
                    "data-all-label": _("— Mọi tỉnh/thành phố —"),
                }
            ),
        )
        super().__init__(queryset, **kwargs)

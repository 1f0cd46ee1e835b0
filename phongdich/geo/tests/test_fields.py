"""The place picker (geo.fields): two communes of the same name are never confused.

Thanh Hóa really has two "Phường Bắc Sơn" (14809 in Thị xã Bỉm Sơn, 14833 in Thành phố Sầm
Sơn); the tests add the second one next to the test world's first."""

import re

import pytest
from django import forms

from phongdich.accounts.forms import UserCreateForm
from phongdich.cases.forms import CaseRegisterForm, SelfDeclareForm
from phongdich.checkpoints.forms import DeclarationForm, EpidemicAreaForm
from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import communes_within, home_communes, origins
from phongdich.hotline.forms import CallForm, ForwardForm, PublicTicketForm, ReliefForm
from phongdich.hotline.models import ResponsibleUnit
from phongdich.people.forms import PersonForm
from phongdich.testing import _unit


@pytest.fixture
def twin(world):
    """The second Phường Bắc Sơn, in another district of the same province."""
    sam_son = _unit("382", "Thành phố Sầm Sơn", "district", world.province)
    return _unit("14833", "Phường Bắc Sơn", "commune", sam_son)


class _Form(forms.Form):
    commune = PlaceChoiceField(queryset=AdminUnit.objects.none())
    maybe = PlaceChoiceField(queryset=AdminUnit.objects.none(), required=False)

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["maybe"].queryset = communes


def _options(html: str) -> list[str]:
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", html)


def test_same_named_communes_read_with_their_district_and_group_under_it(world, twin):
    html = str(_Form(communes=communes_within(world.province))["commune"])
    labels = _options(html)
    assert "Phường Bắc Sơn, Thị xã Bỉm Sơn" in labels
    assert "Phường Bắc Sơn, Thành phố Sầm Sơn" in labels
    assert "Phường Bắc Sơn" not in labels  # never the bare, ambiguous name
    groups = re.findall(r'<optgroup label="([^"]+)">', html)
    assert groups == ["Thành phố Thanh Hóa", "Thị xã Bỉm Sơn", "Thành phố Sầm Sơn"]
    # Each commune sits in its own district's group.
    sam_son = html.split('<optgroup label="Thành phố Sầm Sơn">')[1].split("</optgroup>")[0]
    assert f'value="{twin.pk}"' in sam_son and f'value="{world.commune_b.pk}"' not in sam_son
    assert "data-place-picker" in html


def test_the_choice_posted_is_the_commune_saved(world, twin):
    for unit in (world.commune_b, twin):
        form = _Form({"commune": unit.pk}, communes=communes_within(world.province))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["commune"] == unit


def test_a_commune_outside_the_queryset_is_refused(world, twin):
    form = _Form({"commune": twin.pk}, communes=communes_within(world.district_a))
    assert not form.is_valid()
    assert "commune" in form.errors


def test_many_choices_start_empty(world, twin):
    form = _Form(communes=communes_within(world.province))
    html = str(form["commune"])
    assert '<option value="" selected>' in html
    assert form["commune"].value() is None


@pytest.mark.parametrize("field", ["commune", "maybe"])
def test_one_choice_is_preset(world, field):
    form = _Form(communes=communes_within(world.commune_b))
    assert form[field].value() == world.commune_b.pk
    assert f'value="{world.commune_b.pk}" selected' in str(form[field])


def test_a_required_single_choice_has_no_empty_line_an_optional_one_keeps_it(world):
    form = _Form(communes=communes_within(world.commune_b))
    assert '<option value=""' not in str(form["commune"])
    assert '<option value=""' in str(form["maybe"])


def test_the_preset_follows_each_form_not_the_class(world):
    """Fields are deep-copied per form: one user's single commune must not leak to the next."""
    first = _Form(communes=communes_within(world.commune_b))
    second = _Form(communes=communes_within(world.province))
    assert first["commune"].value() == world.commune_b.pk
    assert second["commune"].value() is None


def test_a_posted_value_wins_over_the_preset(world):
    form = _Form({"commune": "", "maybe": ""}, communes=communes_within(world.commune_b))
    assert not form.is_valid()
    assert "commune" in form.errors


def test_a_commune_worker_registers_in_their_commune_without_choosing(world, staff):
    communes = communes_within(staff.commune_worker_a.jurisdiction)
    for form in (PersonForm(communes=communes), CaseRegisterForm(communes=communes)):
        assert form["commune"].value() == world.commune_a.pk
        assert "---------" not in str(form["commune"])


def test_the_public_forms_offer_the_home_province_communes_with_districts(world, twin):
    outside = _unit("01", "Thành phố Hà Nội", "province")
    ba_dinh = _unit("001", "Quận Ba Đình", "district", outside)
    _unit("00001", "Phường Phúc Xá", "commune", ba_dinh)
    assert list(home_communes()) == list(communes_within(world.province))
    for form in (PublicTicketForm(), SelfDeclareForm(communes=home_communes())):
        labels = _options(str(form["commune"]))
        assert "Phường Bắc Sơn, Thành phố Sầm Sơn" in labels
        assert not any("Phúc Xá" in label for label in labels)


def test_every_place_field_of_the_forms_is_the_picker():
    """The forms that choose a place all use the one picker (no flat list left)."""
    cases = [
        (CallForm, "commune"),
        (PublicTicketForm, "commune"),
        (ReliefForm, "commune"),
        (ForwardForm, "unit"),
        (SelfDeclareForm, "commune"),
        (CaseRegisterForm, "commune"),
        (PersonForm, "commune"),
        (UserCreateForm, "jurisdiction"),
        (DeclarationForm, "origin"),
        (DeclarationForm, "destination_commune"),
        (EpidemicAreaForm, "unit"),
    ]
    for form_class, name in cases:
        assert isinstance(form_class.base_fields[name], PlaceChoiceField), (form_class, name)


def test_forwarding_names_the_office_with_its_district(world, twin):
    bim_son = ResponsibleUnit.objects.create(
        name="UBND Phường Bắc Sơn", kind="commune_committee", admin_unit=world.commune_b
    )
    sam_son = ResponsibleUnit.objects.create(
        name="UBND Phường Bắc Sơn", kind="commune_committee", admin_unit=twin
    )
    police = ResponsibleUnit.objects.create(
        name="Công an huyện", kind="district_police", admin_unit=world.district_b
    )
    queryset = ResponsibleUnit.objects.select_related("admin_unit__parent").order_by(
        "admin_unit__path", "name"
    )
    form = ForwardForm(units=queryset)
    labels = dict(
        (int(v), label)
        for v, label in re.findall(
            r"<option value=\"(\d+)\"[^>]*>([^<]+)</option>", str(form["unit"])
        )
    )
    assert labels[bim_son.pk] == "UBND Phường Bắc Sơn, Thị xã Bỉm Sơn"
    assert labels[sam_son.pk] == "UBND Phường Bắc Sơn, Thành phố Sầm Sơn"
    assert labels[police.pk] == "Công an huyện (Thị xã Bỉm Sơn)"


def test_the_origin_offers_other_provinces_grouped_with_their_districts(world):
    hanoi = _unit("01", "Thành phố Hà Nội", "province")
    _unit("001", "Quận Ba Đình", "district", hanoi)
    html = str(DeclarationForm(province=world.province)["origin"])
    assert '<optgroup label="Thành phố Hà Nội">' in html
    labels = _options(html)
    assert "Quận Ba Đình, Thành phố Hà Nội" in labels
    assert "Thành phố Hà Nội (cả tỉnh, không rõ huyện)" in labels
    assert not any(unit.kind == "commune" for unit in origins())


def test_the_routing_table_names_places_and_offices_with_their_district(client, world, staff, twin):
    """The policy page of routing rules (~1,100 offices in the province): both selects are
    the picker, and the rows read with districts too."""
    from phongdich.hotline.models import Category, RoutingRule
    from phongdich.policy import registry
    from phongdich.policy.forms import policy_form

    sam_son = ResponsibleUnit.objects.create(
        name="UBND Phường Bắc Sơn", kind="commune_committee", admin_unit=twin
    )
    ResponsibleUnit.objects.create(
        name="UBND Phường Bắc Sơn", kind="commune_committee", admin_unit=world.commune_b
    )
    form = policy_form(registry.get("hotline-routing"), staff.province_admin)
    assert isinstance(form.fields["admin_unit"], PlaceChoiceField)
    assert isinstance(form.fields["unit"], PlaceChoiceField)
    assert "Phường Bắc Sơn, Thành phố Sầm Sơn" in _options(str(form["admin_unit"]))
    assert "UBND Phường Bắc Sơn, Thành phố Sầm Sơn" in _options(str(form["unit"]))
    assert "UBND Phường Bắc Sơn, Thị xã Bỉm Sơn" in _options(str(form["unit"]))
    category = Category.objects.first() or Category.objects.create(name="Khác", code="other")
    RoutingRule.objects.create(category=category, admin_unit=twin, unit=sam_son)
    client.force_login(staff.province_admin)
    page = client.get("/policy/hotline-routing/").content.decode()
    assert "UBND Phường Bắc Sơn, Thành phố Sầm Sơn" in page


def test_list_filters_use_the_picker_too(client, world, staff, twin):
    from django.urls import reverse

    client.force_login(staff.province_health_officer)
    page = client.get(reverse("cases:queue")).content.decode()
    select = page.split('name="commune"')[1].split("</select>")[0]
    assert '<optgroup label="Thành phố Sầm Sơn">' in select
    assert "Phường Bắc Sơn, Thành phố Sầm Sơn" in select
    assert "Phường Bắc Sơn, Thị xã Bỉm Sơn" in select
    filtered = client.get(reverse("cases:queue"), {"commune": twin.pk}).content.decode()
    assert f'<option value="{twin.pk}" selected>' in filtered

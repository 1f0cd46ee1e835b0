"""F0 forms that keep data right: no preset that can be wrong, fields that follow the test
kind, and a "no symptoms" answer of its own on the check form."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from phongdich.cases.forms import CaseRegisterForm, CheckForm
from phongdich.cases.models import Case
from phongdich.geo.models import AdminUnit
from phongdich.labtests.models import Sample

REQUIRED_CHOICES = {
    "test_kind": "Chọn loại xét nghiệm.",
    "detection": "Chọn nơi phát hiện ca bệnh.",
    "occupation": "Chọn nhóm nghề nghiệp.",
    "vaccination": "Chọn tình trạng tiêm chủng.",
}


def _post(world, **changes):
    data = {
        "full_name": "Lê Thị Tâm",
        "birth_year": "1958",
        "phone": "0912000111",
        "commune": world.commune_a.pk,
        "test_kind": "pcr",
        "lab": "CDC Thanh Hóa",
        "tested_at": (timezone.localtime() - timedelta(hours=2)).strftime("%d/%m/%Y %H:%M"),
        "detection": "community",
        "occupation": "other",
        "vaccination": "full",
        "can_self_care": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _form(world, data=None):
    return CaseRegisterForm(
        data, communes=AdminUnit.objects.filter(pk=world.commune_a.pk), facilities=None
    )


@pytest.mark.parametrize("name", sorted(REQUIRED_CHOICES))
def test_a_required_choice_starts_empty(world, name):
    html = str(_form(world)[name])
    selected = re.findall(r'<option value="([^"]*)"[^>]*selected', html)
    assert selected == [""], f"{name} is preset to {selected}"


@pytest.mark.parametrize("name, message", sorted(REQUIRED_CHOICES.items()))
def test_a_required_choice_left_empty_is_refused_in_vietnamese(world, name, message):
    form = _form(world, _post(world, **{name: ""}))
    assert not form.is_valid()
    assert form.errors[name] == [message]


def test_a_68_year_old_is_not_saved_as_a_student_when_nobody_asked(client, world, staff):
    client.force_login(staff.commune_worker_a)
    year = str(timezone.localdate().year - 68)
    response = client.post(
        reverse("cases:register"), _post(world, birth_year=year, occupation=None)
    )
    assert response.status_code == 200 and Case.objects.count() == 0
    assert "Chọn nhóm nghề nghiệp." in response.content.decode()


# (test kind, answers typed, error field or None, saved lab, saved supervised)
DEPENDENT = [
    ("pcr", {"lab": ""}, "lab", None, None),
    ("pcr", {"rat_by": "self"}, None, "CDC Thanh Hóa", True),
    ("rat", {"lab": "", "rat_by": ""}, "rat_by", None, None),
    ("rat", {"lab": "", "rat_by": "health_staff"}, None, "Trạm y tế", True),
    ("rat", {"lab": "", "rat_by": "supervised"}, None, "Trạm y tế", True),
    ("rat", {"lab": "", "rat_by": "self", "is_f1": "on"}, None, "Trạm y tế", False),
    # A lab typed before switching to a rapid test is not saved with it.
    ("rat", {"lab": "CDC Thanh Hóa", "rat_by": "health_staff"}, None, "Trạm y tế", True),
]


@pytest.mark.parametrize("kind, answers, error, lab, supervised", DEPENDENT)
def test_the_test_kind_drives_its_dependent_fields(
    client, world, staff, kind, answers, error, lab, supervised
):
    client.force_login(staff.commune_worker_a)
    response = client.post(reverse("cases:register"), _post(world, test_kind=kind, **answers))
    if error:
        assert response.status_code == 200 and Case.objects.count() == 0
        assert error in response.context["form"].errors
        return
    assert response.status_code == 302, response.context["form"].errors
    test = Sample.objects.get()
    assert (test.kind, test.lab, test.supervised) == (kind, lab, supervised)


def test_symptoms_are_a_fieldset_with_their_legend_above(client, world, staff):
    client.force_login(staff.commune_worker_a)
    html = client.get(reverse("cases:register")).content.decode()
    fieldset = re.search(r'<fieldset class="symptoms">\s*<legend>([^<]+)</legend>', html)
    assert fieldset and fieldset.group(1) == "Triệu chứng"
    assert html.index("<legend>Triệu chứng</legend>") < html.index('name="symptoms"')
    # Dependent fields are marked for the script; without it they all stay visible.
    assert 'data-show-when="test_kind=pcr"' in html and 'data-show-when="test_kind=rat"' in html


# (symptoms ticked, valid, symptoms saved)
CHECKS = [
    (["none"], True, []),
    (["none", "cough"], False, None),
    (["cough"], True, ["cough"]),
    ([], False, None),
]


@pytest.mark.parametrize("ticked, valid, saved", CHECKS)
def test_no_symptoms_is_an_answer_exclusive_with_the_others(ticked, valid, saved):
    form = CheckForm({"submission_key": "k" * 20, "symptoms": ticked})
    assert form.is_valid() is valid, form.errors
    if valid:
        assert form.cleaned_data["symptoms"] == saved


def test_no_symptoms_is_marked_exclusive_for_the_page_script():
    html = str(CheckForm()["symptoms"])
    assert re.search(r'value="none"[^>]*data-exclusive="true"', html), html
    assert "Không có triệu chứng" in html

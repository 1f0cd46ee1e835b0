from phongdich.facilities.models import Facility
from phongdich.facilities.selectors import transfer_targets
from phongdich.facilities.services import facility_occupy


def make(world, kind, unit=None, **extra):
    return Facility.objects.create(
        name=f"{kind} {unit or 'x'}", kind=kind, unit=unit or world.district_a, **extra
    )


def test_it_offers_the_whole_province_to_a_commune_worker(world, staff):
    hospital_b = make(world, Facility.Kind.HOSPITAL_TIER2, world.district_b)
    site = make(world, Facility.Kind.ISOLATION_SITE, world.commune_a)
    make(world, Facility.Kind.QUARANTINE_SITE)  # F1 quarantine: not a treatment place
    make(world, Facility.Kind.HOSPITAL_TIER3, is_active=False)
    assert set(transfer_targets(staff.commune_worker_a)) == {hospital_b, site}


def test_it_offers_nothing_without_jurisdiction(world, staff):
    make(world, Facility.Kind.HOSPITAL_TIER2)
    assert list(transfer_targets(staff.outsider)) == []


def test_it_never_counts_occupied_beds_below_zero(world, staff):
    hospital = make(world, Facility.Kind.HOSPITAL_TIER2, beds_total=10, beds_occupied=1)
    facility_occupy(by=staff.province_admin, facility=hospital, delta=1)
    hospital.refresh_from_db()
    assert hospital.beds_occupied == 2 and hospital.beds_free == 8
    facility_occupy(by=staff.province_admin, facility=hospital, delta=-5)
    hospital.refresh_from_db()
    assert hospital.beds_occupied == 0


# --- the transfer dialog by the bed type the patient needs (issue 12) ---------------------


def _moderate_case(world, staff):
    from phongdich.cases.tests.builders import make_case

    case = make_case(world, staff.commune_worker_a)
    case.severity = "moderate"
    case.save(update_fields=["severity"])
    return case


def test_the_dialog_lists_free_beds_of_the_type_the_patient_needs(client, world, staff):
    no_oxygen = make(world, Facility.Kind.HOSPITAL_TIER2, beds_total=9)
    with_oxygen = make(
        world, Facility.Kind.HOSPITAL_TIER3, world.district_b, beds_total=2, oxygen_beds_total=3
    )
    case = _moderate_case(world, staff)
    client.force_login(staff.commune_worker_a)
    # A moderate F0 needs oxygen: the hospital with oxygen beds comes first and the one
    # without is listed but cannot be chosen.
    page = client.get(f"/cases/{case.pk}/transfer/").content.decode()
    assert 'name="bed_type" value="oxygen"' in page
    assert page.index(f'data-facility="{with_oxygen.pk}"') < page.index(
        f'data-facility="{no_oxygen.pk}"'
    )
    assert f'value="{no_oxygen.pk}" disabled' in page
    # The worker can ask for another type; the list re-sorts by it.
    page = client.get(f"/cases/{case.pk}/transfer/?bed_type=regular").content.decode()
    assert page.index(f'data-facility="{no_oxygen.pk}"') < page.index(
        f'data-facility="{with_oxygen.pk}"'
    )


def test_a_transfer_takes_the_bed_type_chosen_and_moving_on_frees_that_type(
    client, world, staff
):
    from phongdich.cases import services as cases
    from phongdich.cases.models import Case

    hospital = make(world, Facility.Kind.HOSPITAL_TIER3, beds_total=5, oxygen_beds_total=2)
    case = _moderate_case(world, staff)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        f"/cases/{case.pk}/transfer/",
        {"to_place": "tier3", "facility": hospital.pk, "reason": "SpO2 93%", "bed_type": "oxygen"},
    )
    assert response.status_code == 302
    hospital.refresh_from_db()
    assert (hospital.oxygen_beds_occupied, hospital.beds_occupied) == (1, 0)
    stay = hospital.stays.get()
    assert (stay.bed_type, stay.case_id) == ("oxygen", case.pk)
    cases.case_transfer(
        by=staff.commune_worker_a,
        case=Case.objects.get(pk=case.pk),
        to_place="home",
        facility=None,
        reason="đã ổn định",
    )
    hospital.refresh_from_db()
    stay.refresh_from_db()
    assert hospital.oxygen_beds_occupied == 0 and stay.discharged_at is not None


def test_an_icu_place_takes_only_an_intensive_care_or_ventilator_bed(world, staff):
    import pytest
    from django.core.exceptions import ValidationError

    from phongdich.cases import services as cases

    hospital = make(world, Facility.Kind.HOSPITAL_TIER3, beds_total=5, ventilator_beds_total=1)
    case = _moderate_case(world, staff)
    with pytest.raises(ValidationError) as refused:
        cases.case_transfer(
            by=staff.commune_worker_a,
            case=case,
            to_place="icu",
            facility=hospital,
            reason="thở nhanh",
            bed_type="regular",
        )
    assert "Loại giường không phù hợp" in str(refused.value)
    cases.case_transfer(
        by=staff.commune_worker_a,
        case=case,
        to_place="icu",
        facility=hospital,
        reason="thở nhanh",
        bed_type="ventilator",
    )
    hospital.refresh_from_db()
    assert hospital.ventilator_beds_occupied == 1

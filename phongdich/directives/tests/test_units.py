import pytest

from phongdich.directives import directory as d
from phongdich.directives import services
from phongdich.directives.models import OrgUnit, OrgUnitAlias, TaskAssignment, UnitProposal


def test_it_seeds_bodies_districts_and_communes_idempotently(world):
    first = services.units_seed(by=None, province=world.province)
    assert first["districts"] == 2 and first["communes"] == 3
    assert first["bodies"] == len(d.PROVINCIAL_BODIES)
    again = services.units_seed(by=None, province=world.province)
    assert again == {"bodies": 0, "districts": 0, "communes": 0}
    city = OrgUnit.objects.get(name="UBND Thành phố Thanh Hóa")
    assert city.kind == OrgUnit.Kind.DISTRICT and city.admin_unit == world.district_a
    commune = OrgUnit.objects.get(admin_unit=world.commune_a)
    assert commune.parent == city


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Sở Y tế", "Sở Y tế"),
        ("Ngành Y tế", "Sở Y tế"),
        ("ngành y tế", "Sở Y tế"),
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở Lao động-Thương binh và xã hội", "Sở Lao động - Thương binh và Xã hội"),
        ("Ủy ban nhân dân tỉnh", "UBND tỉnh"),
        ("Ban cán sự đảng Ủy ban nhân dân tỉnh", "UBND tỉnh"),
        ("UBMTTQ tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
        ("Ủy ban Mặt trận Tổ quốc tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
        ("Ủy ban nhân dân Thành phố Thanh Hóa", "UBND Thành phố Thanh Hóa"),
        ("thị xã Bỉm Sơn", "UBND Thị xã Bỉm Sơn"),
        ("UBND Phường Hàm Rồng", "UBND Phường Hàm Rồng"),
        ("Giám đốc Sở Y tế", "Sở Y tế"),
        ("Chủ tịch UBND Thị xã Bỉm Sơn", "UBND Thị xã Bỉm Sơn"),
    ],
)
def test_it_resolves_names_by_folded_alias(directory, written, expected):
    result = d.resolve(written)
    assert [u.name for u in result.units] == [expected]
    assert not result.is_group


@pytest.mark.parametrize(
    ("written", "kinds"),
    [
        ("UBND các huyện, thị xã, thành phố", {"district"}),
        ("UBND các huyện, thành phố", {"district"}),
        ("các địa phương", {"district"}),
        ("cấp ủy, chính quyền các địa phương", {"district"}),
        ("các sở, ngành", {"department"}),
        ("Các sở, ban, ngành cấp tỉnh", {"department"}),
        ("Chủ tịch UBND các huyện, thành phố, thị xã", {"district"}),
        ("Các cấp, các ngành, các địa phương, cơ quan, đơn vị", {"district", "department"}),
        ("các tổ chức chính trị - xã hội các cấp", {"district", "mass_org"}),
        ("các đơn vị liên quan", set()),
        ("các ngành liên quan", set()),
    ],
)
def test_it_fans_group_addressees_out_by_kind(directory, written, kinds):
    result = d.resolve(written)
    assert result.is_group
    assert {u.kind for u in result.units} == kinds
    if "district" in kinds:
        names = {u.name for u in result.units}
        assert {"UBND Thành phố Thanh Hóa", "UBND Thị xã Bỉm Sơn"} <= names


@pytest.mark.parametrize("written", ["(chung)", ""])
def test_it_leaves_general_addressees_unresolved(directory, written):
    result = d.resolve(written)
    assert result.units == [] and not result.is_group


def test_it_resolves_a_named_official_to_their_office(directory):
    office = directory["Văn phòng UBND tỉnh"]
    services.official_add(by=None, name="Mai Hùng Dũng", title="Phó Chủ tịch UBND tỉnh", org=office)
    result = d.resolve("đồng chí Mai Hùng Dũng")
    assert result.is_person and result.official.name == "Mai Hùng Dũng"
    assert result.units == [office]


def test_it_proposes_unknown_names_and_the_clerk_accepts_them(staff, directory, small_text):
    document = services.document_import(by=staff.directive_clerk, text=small_text)
    proposal = UnitProposal.objects.get(name="Ban Quản lý các khu công nghiệp tỉnh")
    assignment = TaskAssignment.objects.get(proposal=proposal)
    assert assignment.unit is None and proposal.document == document
    unit = services.proposal_accept(
        by=staff.directive_clerk, proposal=proposal, name="Ban Quản lý KCN tỉnh", kind="committee"
    )
    assignment.refresh_from_db()
    assert assignment.unit == unit
    assert d.resolve("Ban Quản lý các khu công nghiệp tỉnh").units == [unit]


def test_it_maps_a_misspelt_name_to_an_existing_unit(staff, directory):
    proposal = UnitProposal.objects.create(name="Ủy ban nhân tỉnh", key="ubnd nhan tinh x")
    services.proposal_map(by=staff.directive_clerk, proposal=proposal, unit=directory["UBND tỉnh"])
    assert OrgUnitAlias.objects.filter(text="Ủy ban nhân tỉnh").exists()
    proposal.refresh_from_db()
    assert proposal.status == UnitProposal.Status.MAPPED


@pytest.mark.parametrize(
    ("written", "proposed"),
    [
        ("Viễn thông Thanh Hóa", True),
        ("Tổ chuyên gia của Bộ Y tế", True),
        ("đồng chí Nguyễn Lộc Hà", True),
        ("lực lượng chức năng", False),
        ("doanh nghiệp", False),
        ("cán bộ, đảng viên, công chức, viên chức và người dân", False),
        ("(chung)", False),
    ],
)
def test_only_names_of_bodies_and_people_are_proposed(written, proposed):
    assert d.names_a_body(written) is proposed


def test_a_reporter_cannot_be_linked_outside_their_jurisdiction(staff, directory):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.membership_add(
            by=None, user=staff.unit_reporter_a, unit=directory["UBND Thị xã Bỉm Sơn"]
        )
    with pytest.raises(ValidationError):  # a district account cannot report for Sở Y tế
        services.membership_add(by=None, user=staff.unit_reporter_a, unit=directory["Sở Y tế"])
    with pytest.raises(ValidationError):  # only reporter accounts
        services.membership_add(by=None, user=staff.committee_member, unit=directory["Sở Y tế"])

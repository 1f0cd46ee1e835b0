"""Build the demo province: geography, synthetic populations, people, staff accounts.

Domain apps add their own demo data by providing `phongdich/<app>/demo.py` with
`build(*, seed: int, scale: float, province, users: dict, log) -> None`; it runs after the
people exist, in the order of INSTALLED_APPS.
"""

import random
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils.module_loading import import_string, module_has_submodule

from phongdich.accounts.models import Role, User
from phongdich.accounts.services import user_create
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.geo.services import geography_load
from phongdich.people.models import Person

from .loader import bulk_load_people
from .synthetic import CENSUS_POPULATION, PeopleGenerator, commune_weights, split_population

DEMO_PASSWORD = "phongdich-demo"
PROVINCE_CODE = "38"  # Thanh Hóa


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    place: str  # "province", "district", "district_b", "commune_a", "commune_b"
    organisation: str = ""


# Named people in named places, so testers and trainers can say "log in as tramyte.a".
DEMO_USERS = [
    DemoUser("admin", "Lê Văn Quản", Role.PROVINCE_ADMIN, "province", "Sở Y tế"),
    DemoUser("bcd", "Đỗ Minh Tuấn", Role.COMMITTEE_MEMBER, "province", "Ban Chỉ đạo tỉnh"),
    DemoUser("soyte", "Nguyễn Thị Hương", Role.HEALTH_OFFICER, "province", "Sở Y tế"),
    DemoUser("cdc", "Phạm Quang Huy", Role.HEALTH_OFFICER, "province", "CDC tỉnh"),
    DemoUser(
        "ytehuyen",
        "Trần Văn Bình",
        Role.HEALTH_OFFICER,
        "district",
        "Trung tâm Y tế Thành phố Thanh Hóa",
    ),
    DemoUser("tramyte.a", "Lê Thị Mai", Role.COMMUNE_HEALTH_WORKER, "commune_a"),
    DemoUser("tramyte.b", "Hoàng Văn Nam", Role.COMMUNE_HEALTH_WORKER, "commune_b"),
    DemoUser("chamsoc.a", "Vũ Thị Lan", Role.CARE_TEAM_MEMBER, "commune_a"),
    DemoUser("tongdai", "Bùi Thị Thu", Role.HOTLINE_AGENT, "province", "Tổng đài 1022"),
    DemoUser(
        "chot", "Đinh Công Sơn", Role.CHECKPOINT_OFFICER, "province", "Chốt kiểm soát Bỉm Sơn"
    ),
    DemoUser(
        "cuutro", "Ngô Thị Hằng", Role.RELIEF_OFFICER, "province", "Trung tâm hỗ trợ người dân"
    ),
    DemoUser("vanthu", "Trịnh Thị Ngọc", Role.DIRECTIVE_CLERK, "province", "Văn phòng Tỉnh ủy"),
    DemoUser(
        "baocao.huyen", "Mai Xuân Phong", Role.UNIT_REPORTER, "district", "UBND Thành phố Thanh Hóa"
    ),
    DemoUser("truyvet.a", "Lê Văn Vết", Role.TRACER, "commune_a", "Tổ COVID cộng đồng"),
    DemoUser("congan.huyen", "Hà Văn An", Role.POLICE, "district", "Công an Thành phố Thanh Hóa"),
]


@dataclass
class DemoPlaces:
    province: AdminUnit
    district: AdminUnit
    district_b: AdminUnit
    commune_a: AdminUnit
    commune_b: AdminUnit


def demo_places() -> DemoPlaces:
    province = AdminUnit.objects.get(code=PROVINCE_CODE)
    district = AdminUnit.objects.get(code="380")  # Thành phố Thanh Hóa
    district_b = AdminUnit.objects.get(code="381")  # Thị xã Bỉm Sơn, the northern gate
    communes_a = district.children.order_by("code")
    communes_b = district_b.children.order_by("code")
    return DemoPlaces(province, district, district_b, communes_a.first(), communes_b.first())


def demo_exists() -> bool:
    return User.objects.filter(username="admin", role=Role.PROVINCE_ADMIN).exists()


def assign_populations(seed: int, province: AdminUnit) -> None:
    """Synthetic commune populations summing to the census total; districts get the sums."""
    rng = random.Random(seed)
    communes = list(
        AdminUnit.objects.filter(
            path__startswith=province.path, kind=AdminUnit.Kind.COMMUNE
        ).order_by("code")
    )
    figures = split_population(
        CENSUS_POPULATION[province.code], commune_weights(rng, len(communes))
    )
    totals: dict[int, int] = {}
    for unit, population in zip(communes, figures, strict=True):
        unit.population, unit.population_synthetic = population, True
        totals[unit.parent_id] = totals.get(unit.parent_id, 0) + population
    districts = list(AdminUnit.objects.filter(pk__in=totals))
    for unit in districts:
        unit.population, unit.population_synthetic = totals[unit.pk], True
    province.population = sum(figures)
    province.population_synthetic = True
    AdminUnit.objects.bulk_update(
        communes + districts + [province], ["population", "population_synthetic"], 2000
    )


def load_people(seed: int, scale: float, province: AdminUnit, log=print) -> int:
    generator = PeopleGenerator(seed, province.code)
    communes = list(
        AdminUnit.objects.filter(
            path__startswith=province.path, kind=AdminUnit.Kind.COMMUNE
        ).order_by("code")
    )

    def rows():
        for unit in communes:
            yield from generator.people(unit.pk, round(unit.population * scale))

    # The demo loads into an empty table, where rebuilding indexes afterwards pays off.
    return bulk_load_people(rows(), rebuild_indexes=True)


def create_users(places: DemoPlaces) -> dict[str, User]:
    users = {}
    for spec in DEMO_USERS:
        existing = User.objects.filter(username=spec.username).first()
        users[spec.username] = existing or user_create(
            by=None,
            username=spec.username,
            password=DEMO_PASSWORD,
            role=spec.role,
            jurisdiction=getattr(places, spec.place),
            full_name=spec.full_name,
            email=f"{spec.username.replace('.', '_')}@demo.phongdich.local",
            organisation=spec.organisation,
        )
    return users


def build_demo(*, seed: int = 1, scale: float = 0.01, reset: bool = False, log=print) -> dict:
    if reset:
        Person.objects.all().delete()
    geography_load(dataset="2021", province=PROVINCE_CODE)
    places = demo_places()
    with transaction.atomic():
        assign_populations(seed, places.province)
    if not Person.objects.exists():
        count = load_people(seed, scale, places.province, log)
        log(f"people: {count:,} loaded")
    users = create_users(places)
    for config in apps.get_app_configs():
        if config.name.startswith("phongdich.") and module_has_submodule(config.module, "demo"):
            builder = import_string(f"{config.name}.demo.build")
            builder(seed=seed, scale=scale, province=places.province, users=users, log=log)
    if apps.is_installed("phongdich.stats"):
        # Dashboards read precomputed figures; fill the last 30 days so their trends show at once.
        from phongdich.stats.services import daily_counts_refresh_recent

        daily_counts_refresh_recent(days=30)
    audit_record(actor=None, action="demo.build", changes={"seed": seed, "scale": scale})
    return users


def describe_logins() -> list[tuple[str, str, str]]:
    """The foundation's demo accounts in their fixed order, then the accounts the apps'
    demos add (a vaccination officer, a facility officer...), so the printed list names
    every login a newcomer can try. A facility officer has no unit: their facility shows."""
    rows = []
    fixed = [spec.username for spec in DEMO_USERS]
    users = {u.username: u for u in User.objects.select_related("jurisdiction__parent")}
    others = sorted(name for name in users if name not in fixed)
    for username in [*fixed, *others]:
        user = users.get(username)
        if user and user.is_active:
            place = user.jurisdiction.label() if user.jurisdiction else user.organisation
            rows.append((username, str(user.get_role_display()), place))
    return rows

"""The unit directory's reference data and name resolution.

PROVINCIAL_BODIES is the usual set of bodies a provincial steering committee assigns work
to, with the ways documents write them. GROUP_RULES says which kinds of unit a collective
addressee ("UBND các huyện, thị xã, thành phố", "các sở, ngành") stands for. Both are data
a clerk can extend through the directory pages (aliases, proposals); nothing here is about
one document.
"""

import re
from dataclasses import dataclass, field

from phongdich.directives.extraction import is_group_addressee
from phongdich.directives.extraction.units import _SPECIFIC_START_RE
from phongdich.lib.text import fold

from .models import Official, OfficialAlias, OrgUnit, OrgUnitAlias, unit_key

K = OrgUnit.Kind

# (name, kind, aliases). "tỉnh" bodies: the directory is one province's.
PROVINCIAL_BODIES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "UBND tỉnh",
        K.COMMITTEE,
        (
            "Ủy ban nhân dân tỉnh",
            "Ban cán sự đảng UBND tỉnh",
            "Ban cán sự đảng Ủy ban nhân dân tỉnh",
        ),
    ),
    ("Văn phòng UBND tỉnh", K.COMMITTEE, ("Văn phòng Ủy ban nhân dân tỉnh",)),
    (
        "Ban Chỉ đạo phòng, chống dịch COVID-19 tỉnh",
        K.COMMITTEE,
        ("Ban Chỉ đạo", "Ban Chỉ đạo tỉnh", "BCĐ tỉnh"),
    ),
    ("Sở Y tế", K.DEPARTMENT, ("Ngành Y tế", "Sở Y tế tỉnh")),
    ("CDC tỉnh", K.OTHER, ("Trung tâm Kiểm soát bệnh tật tỉnh", "Trung tâm Kiểm soát bệnh tật")),
    ("Công an tỉnh", K.DEPARTMENT, ("Ngành Công an",)),
    ("Bộ Chỉ huy Quân sự tỉnh", K.DEPARTMENT, ("BCH Quân sự tỉnh",)),
    ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh", K.DEPARTMENT, ("Bộ đội Biên phòng tỉnh",)),
    (
        "Sở Lao động - Thương binh và Xã hội",
        K.DEPARTMENT,
        ("Sở LĐ-TB&XH", "Sở Lao động-Thương binh và xã hội", "Sở LĐTBXH"),
    ),
    (
        "Sở Giáo dục và Đào tạo",
        K.DEPARTMENT,
        ("Sở GD&ĐT", "Ngành Giáo dục - Đào tạo", "Ngành Giáo dục", "Sở GDĐT"),
    ),
    ("Sở Thông tin và Truyền thông", K.DEPARTMENT, ("Sở TT&TT", "Sở TTTT")),
    ("Sở Tài chính", K.DEPARTMENT, ()),
    ("Sở Kế hoạch và Đầu tư", K.DEPARTMENT, ("Sở KH&ĐT", "Sở KHĐT")),
    ("Sở Công Thương", K.DEPARTMENT, ("Ngành Công Thương",)),
    ("Sở Giao thông vận tải", K.DEPARTMENT, ("Sở GTVT",)),
    ("Sở Nội vụ", K.DEPARTMENT, ()),
    ("Sở Tư pháp", K.DEPARTMENT, ()),
    ("Sở Nông nghiệp và Phát triển nông thôn", K.DEPARTMENT, ("Sở NN&PTNT", "Sở NNPTNT")),
    ("Sở Tài nguyên và Môi trường", K.DEPARTMENT, ("Sở TN&MT",)),
    ("Sở Văn hóa, Thể thao và Du lịch", K.DEPARTMENT, ("Sở VH-TT&DL", "Sở VHTTDL")),
    ("Sở Xây dựng", K.DEPARTMENT, ()),
    ("Bảo hiểm xã hội tỉnh", K.OTHER, ("Bảo hiểm xã hội", "BHXH tỉnh")),
    ("Ban Tuyên giáo Tỉnh ủy", K.PARTY, ()),
    ("Ban Dân vận Tỉnh ủy", K.PARTY, ()),
    ("Ban Tổ chức Tỉnh ủy", K.PARTY, ()),
    ("Văn phòng Tỉnh ủy", K.PARTY, ()),
    (
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        K.MASS_ORGANISATION,
        (
            "UBMTTQ tỉnh",
            "Ủy ban Mặt trận Tổ quốc tỉnh",
            "Mặt trận Tổ quốc Việt Nam tỉnh",
            "Mặt trận Tổ quốc tỉnh",
            "Đảng đoàn Mặt trận Tổ quốc tỉnh",
        ),
    ),
    ("Tỉnh đoàn", K.MASS_ORGANISATION, ("Đoàn Thanh niên tỉnh",)),
    ("Hội Liên hiệp Phụ nữ tỉnh", K.MASS_ORGANISATION, ("Hội LHPN tỉnh",)),
    ("Hội Nông dân tỉnh", K.MASS_ORGANISATION, ()),
    ("Hội Cựu chiến binh tỉnh", K.MASS_ORGANISATION, ()),
    ("Liên đoàn Lao động tỉnh", K.MASS_ORGANISATION, ()),
    ("Đài Phát thanh và Truyền hình tỉnh", K.OTHER, ("Đài PT-TH tỉnh",)),
]

# Which unit kinds a collective addressee fans out to, tried in order; every matching rule
# contributes. Communes fan out to their districts: the province follows up districts, and
# each district pushes its own communes (a task per commune would bury the clerk).
GROUP_RULES: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (
        re.compile(
            r"\bubnd cac (?:huyen|quan|thi xa|thanh pho)|\bcac huyen\b|\bcap huyen\b"
            r"|\bcac dia phuong\b|\bcac cap\b|\bcap xa\b|\bcac xa\b"
        ),
        (K.DISTRICT,),
    ),
    (
        re.compile(r"\bcac so\b|\bso, (?:ban, )?nganh\b|\bcac nganh\b(?! lien quan)"),
        (K.DEPARTMENT,),
    ),
    (re.compile(r"\bcac (?:to chuc chinh tri - xa hoi|doan the)\b"), (K.MASS_ORGANISATION,)),
]
# Groups too vague to fan out ("các đơn vị liên quan"): the clerk chooses the units.
_VAGUE_RE = re.compile(r"\blien quan\b|\bhoi dong huong\b")
_PERSON_RE = re.compile(r"^(?:dong chi|giao su|gs|pgs|ts|ong|ba)\s+")
# The head of a body ("Giám đốc Sở Y tế", "Chủ tịch UBND huyện X", "Chỉ huy trưởng ...").
_HEAD_OF_RE = re.compile(
    r"^(?:pho )?(?:giam doc|chu tich|chi huy truong|thu truong|truong ban|chanh van phong|"
    r"bi thu|truong)\s+"
)
# Addressees that are everybody, not a unit: no task goes to a unit for them.
GENERAL_NAMES = {"(chung)", "chung"}


@dataclass
class Resolution:
    name: str
    units: list[OrgUnit] = field(default_factory=list)
    official: Official | None = None
    is_group: bool = False
    is_person: bool = False

    @property
    def resolved(self) -> bool:
        return bool(self.units)


def group_kinds(name: str) -> tuple[str, ...]:
    """The unit kinds a collective addressee stands for; () when it is too vague."""
    key = fold(name)
    if _VAGUE_RE.search(key):
        return ()
    kinds: list[str] = []
    for pattern, rule_kinds in GROUP_RULES:
        if pattern.search(key):
            kinds += [k for k in rule_kinds if k not in kinds]
    return tuple(kinds)


def resolve(name: str, *, cache: dict | None = None) -> Resolution:
    """Resolve one addressee as written: an exact folded alias, a person, or a group."""
    if cache is not None and name in cache:
        return cache[name]
    result = Resolution(name=name)
    key = unit_key(name)
    if name.strip() in GENERAL_NAMES or not key:
        pass
    elif alias := (
        OrgUnitAlias.objects.select_related("unit")
        .filter(key__in={key, unit_key(_HEAD_OF_RE.sub("", fold(name)))})
        .first()
    ):
        # "Giám đốc Sở Y tế" answers for Sở Y tế: the head of a body reports through it.
        result.units = [alias.unit]
    elif _PERSON_RE.match(fold(name)) and not is_group_addressee(name):
        result.is_person = True
        person_key = unit_key(_PERSON_RE.sub("", fold(name)))
        official_alias = (
            OfficialAlias.objects.select_related("official__org")
            .filter(key__in=[key, person_key])
            .first()
        )
        if official_alias:
            result.official = official_alias.official
            if official_alias.official.org:
                result.units = [official_alias.official.org]
    elif is_group_addressee(name) or group_kinds(name):
        result.is_group = True
        kinds = group_kinds(name)
        if kinds:
            result.units = list(
                OrgUnit.objects.filter(kind__in=kinds, is_active=True).order_by("kind", "name")
            )
    if cache is not None:
        cache[name] = result
    return result


def names_a_body(name: str) -> bool:
    """Worth proposing as a new unit: opens with an organisation noun ("Tổ chuyên gia …",
    "Viễn thông …") or names a person. Collectives such as "lực lượng chức năng" or
    "doanh nghiệp" are calls to everyone, not units a clerk should add."""
    name = name.strip()
    if name in GENERAL_NAMES or not name:
        return False
    return bool(_SPECIFIC_START_RE.match(name) or _PERSON_RE.match(fold(name)))


def add_unit(name: str, kind: str, aliases=(), *, admin_unit=None, parent=None) -> OrgUnit:
    """Create a unit with its own name and `aliases` as folded aliases (existing keys kept)."""
    unit = OrgUnit.objects.create(name=name, kind=kind, admin_unit=admin_unit, parent=parent)
    add_aliases(unit, [name, *aliases])
    return unit


def add_aliases(unit: OrgUnit, texts) -> int:
    taken = set(
        OrgUnitAlias.objects.filter(key__in=[unit_key(t) for t in texts]).values_list(
            "key", flat=True
        )
    )
    rows = []
    for text in texts:
        key = unit_key(text)
        if key and key not in taken:
            taken.add(key)
            rows.append(OrgUnitAlias(unit=unit, text=text, key=key))
    OrgUnitAlias.objects.bulk_create(rows)
    return len(rows)


def add_official(name: str, title: str, org: OrgUnit | None, aliases=(), **fields) -> Official:
    """`fields`: further columns of the new row (a submission's key)."""
    official = Official.objects.create(name=name, title=title, org=org, **fields)
    for text in {name, f"đồng chí {name}", *aliases}:
        if not OfficialAlias.objects.filter(key=unit_key(text)).exists():
            OfficialAlias.objects.create(official=official, text=text)
    return official

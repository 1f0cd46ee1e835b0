"""Synthetic but realistic people for the demo province. Deterministic for a seed.

Figures: the 2019 census age structure of Viet Nam (5-year bands), the common family
names and their approximate shares, typical middle and given names by sex. Nothing here is
a real person: phones use real mobile prefixes with random numbers, CCCDs use the real
province prefix with random serials.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass

from phongdich.lib.identity import MOBILE_PREFIXES
from phongdich.lib.text import name_key

# Thanh Hóa's population at the 2019 census; the demo's synthetic figures sum to it.
CENSUS_POPULATION = {"38": 3_640_128}
# Reference year of the scenario (the seeds are from 2021–2022).
SCENARIO_YEAR = 2022

# Share of the population per age band (2019 census, rounded): (first age, last age, %).
AGE_BANDS = [
    (0, 4, 8.3),
    (5, 9, 8.4),
    (10, 14, 7.4),
    (15, 19, 7.0),
    (20, 24, 7.2),
    (25, 29, 8.1),
    (30, 34, 8.4),
    (35, 39, 7.9),
    (40, 44, 7.2),
    (45, 49, 6.5),
    (50, 54, 5.9),
    (55, 59, 5.2),
    (60, 64, 4.2),
    (65, 69, 3.0),
    (70, 74, 1.9),
    (75, 79, 1.3),
    (80, 95, 1.9),
]
FAMILY_NAMES = [
    ("Nguyễn", 38.4),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.1),
    ("Hoàng", 5.1),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Trịnh", 0.9),
    ("Đinh", 0.8),
    ("Lò", 0.3),
    ("Hà", 0.6),
    ("Mai", 0.5),
    ("Lương", 0.4),
    ("Cao", 0.4),
    ("Tạ", 0.3),
    ("Vi", 0.2),
    ("Quách", 0.2),
]
MIDDLE_NAMES = {
    "M": [
        ("Văn", 40),
        ("Đức", 8),
        ("Hữu", 7),
        ("Minh", 8),
        ("Quang", 6),
        ("Xuân", 5),
        ("Đình", 6),
        ("Công", 5),
        ("Ngọc", 3),
        ("Thành", 4),
        ("Trọng", 4),
        ("Anh", 4),
    ],
    "F": [
        ("Thị", 55),
        ("Ngọc", 8),
        ("Thu", 6),
        ("Thanh", 6),
        ("Minh", 4),
        ("Hồng", 5),
        ("Phương", 4),
        ("Kim", 4),
        ("Hoài", 3),
        ("Mai", 3),
        ("Bảo", 2),
    ],
}
GIVEN_NAMES = {
    "M": [
        "An",
        "Anh",
        "Bảo",
        "Bình",
        "Cường",
        "Công",
        "Dũng",
        "Duy",
        "Đạt",
        "Đức",
        "Giang",
        "Hải",
        "Hiếu",
        "Hoàng",
        "Hùng",
        "Huy",
        "Khánh",
        "Khoa",
        "Kiên",
        "Lâm",
        "Long",
        "Mạnh",
        "Minh",
        "Nam",
        "Nghĩa",
        "Phong",
        "Phúc",
        "Quân",
        "Quang",
        "Sơn",
        "Tài",
        "Thắng",
        "Thành",
        "Thịnh",
        "Tiến",
        "Toàn",
        "Trung",
        "Tuấn",
        "Tùng",
        "Việt",
        "Vinh",
    ],
    "F": [
        "An",
        "Anh",
        "Chi",
        "Dung",
        "Giang",
        "Hà",
        "Hằng",
        "Hạnh",
        "Hoa",
        "Hồng",
        "Huyền",
        "Hương",
        "Lan",
        "Liên",
        "Linh",
        "Loan",
        "Ly",
        "Mai",
        "My",
        "Nga",
        "Ngân",
        "Ngọc",
        "Nhung",
        "Oanh",
        "Phương",
        "Quỳnh",
        "Tâm",
        "Thảo",
        "Thu",
        "Thủy",
        "Trang",
        "Trinh",
        "Tuyết",
        "Uyên",
        "Vân",
        "Yến",
    ],
}
HAMLET_WORDS = ["Thôn", "Xóm", "Khu phố", "Tổ dân phố", "Bản"]
PHONE_PREFIXES = sorted(MOBILE_PREFIXES)


@dataclass(frozen=True, slots=True)
class PersonRow:
    full_name: str
    name_key: str
    given_key: str
    birth_year: int
    sex: str
    id_number: str | None
    phone: str
    address: str
    commune_id: int


def split_population(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to `weights` that sum exactly to `total` (largest remainder)."""
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    floors = [int(x) for x in exact]
    remainder = total - sum(floors)
    by_fraction = sorted(range(len(weights)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in by_fraction[:remainder]:
        floors[i] += 1
    return floors


def commune_weights(rng: random.Random, count: int) -> list[float]:
    # Commune populations in a Vietnamese province are right-skewed (urban wards are large).
    return [rng.lognormvariate(0, 0.55) for _ in range(count)]


class PeopleGenerator:
    """Yields PersonRow for each commune in proportion to its population."""

    def __init__(self, seed: int, province_code: str):
        self.rng = random.Random(seed)
        self.province_prefix = province_code.zfill(3)
        # One counter per CCCD "century/sex + year" group keeps serials unique without a set.
        self._serials: dict[str, int] = {}
        self._family = [n for n, _ in FAMILY_NAMES]
        self._family_cum = _cumulative([w for _, w in FAMILY_NAMES])
        self._middle = {s: [n for n, _ in v] for s, v in MIDDLE_NAMES.items()}
        self._middle_cum = {s: _cumulative([w for _, w in v]) for s, v in MIDDLE_NAMES.items()}
        self._ages = [(a, b) for a, b, _ in AGE_BANDS]
        self._ages_cum = _cumulative([w for _, _, w in AGE_BANDS])
        # Folding every generated name would dominate the run at scale 1: fold each part once.
        words = {w for n in self._family for w in [n]}
        words |= {w for names in self._middle.values() for w in names}
        words |= {w for names in GIVEN_NAMES.values() for w in names}
        self._folded = {w: name_key(w) for w in words}

    def _cccd(self, birth_year: int, sex: str) -> str:
        century_digit = (0 if birth_year < 2000 else 2) + (0 if sex == "M" else 1)
        group = f"{self.province_prefix}{century_digit}{birth_year % 100:02d}"
        serial = self._serials.get(group, self.rng.randrange(0, 50_000))
        self._serials[group] = serial + 1 + self.rng.randrange(0, 3)
        return f"{group}{serial:06d}"

    def people(self, commune_id: int, count: int) -> Iterator[PersonRow]:
        rng = self.rng
        families = rng.choices(self._family, cum_weights=self._family_cum, k=count)
        bands = rng.choices(self._ages, cum_weights=self._ages_cum, k=count)
        for family, (low, high) in zip(families, bands, strict=True):
            sex = "M" if rng.random() < 0.497 else "F"
            middle = rng.choices(self._middle[sex], cum_weights=self._middle_cum[sex])[0]
            given = rng.choice(GIVEN_NAMES[sex])
            age = rng.randint(low, high)
            birth_year = SCENARIO_YEAR - age
            has_phone = age >= 15 and rng.random() < 0.9
            phone = (
                f"+84{rng.choice(PHONE_PREFIXES)[1:]}{rng.randrange(0, 10**7):07d}"
                if has_phone
                else ""
            )
            id_number = self._cccd(birth_year, sex) if age >= 14 and rng.random() < 0.85 else None
            given_key = self._folded[given]
            yield PersonRow(
                full_name=f"{family} {middle} {given}",
                name_key=f"{self._folded[family]} {self._folded[middle]} {given_key}",
                given_key=given_key,
                birth_year=birth_year,
                sex=sex,
                id_number=id_number,
                phone=phone,
                address=f"{rng.choice(HAMLET_WORDS)} {rng.randint(1, 25)}",
                commune_id=commune_id,
            )


def _cumulative(weights: list[float]) -> list[float]:
    out, running = [], 0.0
    for w in weights:
        running += w
        out.append(running)
    return out

import pytest

from phongdich.hotline import rules
from phongdich.hotline.rules import Route


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Bố tôi khó thở từ sáng", "P1"),
        ("bo toi kho tho tu sang", "P1"),
        ("KHÓ THỞ", "P1"),
        ("Cháu bé bị tím tái môi", "P1"),
        ("chau be tim tai", "P1"),
        ("mẹ tôi vừa ngất", "P1"),
        ("me toi vua ngat xiu", "P1"),
        ("con tôi co giật", "P1"),
        ("đau ngực dữ dội", "P1"),
        ("dau nguc", "P1"),
        ("không thở được", "P1"),
        ("khong tho duoc nua", "P1"),
        ("F0 sốt cao 39 độ", "P2"),
        ("sot cao", "P2"),
        ("không khó thở, chỉ ho nhẹ", "P3"),
        ("khong kho tho", "P3"),
        ("hết khó thở rồi", "P3"),
        ("hỏi thủ tục cấp giấy xác nhận khỏi bệnh", "P3"),
    ],
)
def test_it_triages_emergency_words_with_and_without_diacritics(text, expected):
    assert rules.triage(text, default_priority="P3").priority == expected


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"open_danger_alerts": 1}, "P1"),
        ({"open_danger_alerts": 0}, "P3"),
        ({"age": 65}, "P2"),
        ({"age": 64}, "P3"),
        ({"age": 0}, "P2"),
        ({"age": 1}, "P3"),
        ({"pregnant": True}, "P2"),
        ({"age": 70, "open_danger_alerts": 2}, "P1"),
    ],
)
def test_it_raises_priority_for_danger_alerts_age_and_pregnancy(kwargs, expected):
    assert rules.triage("hỏi tư vấn", default_priority="P3", **kwargs).priority == expected


def test_it_reads_pregnancy_from_the_words():
    result = rules.triage("vợ tôi đang mang thai tháng thứ 7, bị ho", default_priority="P4")
    assert result.priority == "P2"
    assert any("mang thai" in r for r in result.reasons)


def test_it_never_lowers_a_branch_default():
    assert rules.triage("hỏi thăm", default_priority="P1").priority == "P1"


def test_every_emergency_phrase_is_folded_ascii():
    for phrase, priority in rules.EMERGENCY_PHRASES:
        assert phrase == phrase.encode("ascii", "ignore").decode() and phrase.islower()
        assert priority in rules.PRIORITY_ORDER


PROVINCE, DISTRICT, COMMUNE = "/38/", "/38/380/", "/38/380/14755/"
OTHER_COMMUNE = "/38/381/14809/"
TABLE = [
    Route(None, PROVINCE, 1),  # province catch-all
    Route("food", PROVINCE, 2),  # relief centre
    Route(None, COMMUNE, 3),  # commune A health station, every branch
    Route("admin_procedures", COMMUNE, 4),  # commune A People's Committee
    Route("violation", DISTRICT, 5),  # district A police
]


@pytest.mark.parametrize(
    "category, commune, expected",
    [
        ("f0_advice", COMMUNE, 3),  # commune catch-all beats the province catch-all
        ("admin_procedures", COMMUNE, 4),  # category at commune level
        ("violation", COMMUNE, 5),  # category at district beats commune catch-all
        ("food", COMMUNE, 2),  # category at province beats commune catch-all
        ("f0_advice", OTHER_COMMUNE, 1),  # nothing local: province default
        ("violation", OTHER_COMMUNE, 1),  # district A's police do not cover district B
        ("food", None, 2),  # no commune: province rules only
        ("cdc", None, 1),
    ],
)
def test_it_routes_to_the_most_specific_unit(category, commune, expected):
    assert rules.resolve_route(TABLE, category, commune) == expected


def test_it_returns_none_without_any_rule():
    assert rules.resolve_route([], "other", COMMUNE) is None


@pytest.mark.parametrize(
    "per_day, max_days, days, amount, expected",
    [
        (True, 45, 10, 80_000, (800_000, 10, False)),
        (True, 45, 50, 80_000, (3_600_000, 45, True)),
        (True, 21, 21, 80_000, (1_680_000, 21, False)),
        (False, None, None, 1_000_000, (1_000_000, None, False)),
    ],
)
def test_it_computes_nq68_amounts(per_day, max_days, days, amount, expected):
    result = rules.support_amount(amount=amount, per_day=per_day, max_days=max_days, days=days)
    assert (result.amount, result.days, result.capped) == expected

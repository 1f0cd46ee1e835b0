import pytest

from phongdich.directives.extraction.references import clean_reference, find_references

CASES = [
    ("theo Nghị quyết 68/NQ-CP của Chính phủ", ["68/NQ-CP"]),
    ("theo Chỉ thị 16/CT-TTg", ["16/CT-TTg"]),
    ("Quyết định số 218/QĐ-BYT ngày 27/01/2022", ["218/QĐ-BYT"]),
    ("Kết luận số 30-KL/TU, ngày 02/8/2021", ["30-KL/TU"]),
    ("Thông báo số 123-TB/VPTU ngày 22/02/2022", ["123-TB/VPTU"]),
    ("Thông tư số 02/2022/TT-BYT ngày 18/02/2022", ["02/2022/TT-BYT"]),
    ("Quyết định số 4399/QĐ-UBND", ["4399/QĐ-UBND"]),
    ("Quyết định số 23/2021/QĐ-TTg", ["23/2021/QĐ-TTg"]),
    ("Công văn số 246/BCĐ-VP6", ["246/BCĐ-VP6"]),
    ("Công văn số 6880/UBNDKGVX, ngày 23/7/2021", ["6880/UBNDKGVX"]),
    ("Công điện số 05-CD/TU", ["05-CD/TU"]),  # kept as written: no CD→CĐ rewriting
    ("Công văn 11042/BYT-DP", ["11042/BYT-DP"]),
    ("số 05 - CĐ/TU", ["05-CĐ/TU"]),
    ("các Công điện: số 06-CD/TU, số 05-CD/TU, số 06-CD/TU", ["05-CD/TU", "06-CD/TU"]),
    # Not references: dates, disease names, hotline numbers, 5K, ages.
    ("ngày 19/8/2021, Covid-19, SARS-CoV-2, Tổng đài 1022, chiến lược 5K, từ 05 đến 12 tuổi", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_it_finds_references(text, expected):
    assert find_references(text) == expected


def test_it_can_exclude_the_documents_own_number():
    assert find_references("Số: 512/TB-UBND ... theo 15/CT-TTg", exclude=("512/TB-UBND",)) == [
        "15/CT-TTg"
    ]


def test_clean_reference_removes_spaces_around_separators():
    assert clean_reference("/KL- BCD") == "/KL-BCD"

from datetime import date

import pytest

from phongdich.directives.extraction.dates import find_deadlines, parse_date, parse_deadline

MEETING = date(2021, 7, 24)

DEADLINES = [
    # (text, reference, expected date, expected phrase)
    (
        "gửi danh sách về Sở Y tế trước ngày 15/11/2021 để tổ chức tiêm",
        None,
        date(2021, 11, 15),
        "trước ngày 15/11/2021",
    ),
    ("trước 15/11/2021", None, date(2021, 11, 15), "trước 15/11/2021"),
    (
        "hoàn thành trước ngày 28/02/2022.",
        None,
        date(2022, 2, 28),
        "hoàn thành trước ngày 28/02/2022",
    ),
    (
        "đảm bảo đến hết ngày 28/02/2022 phải hoàn thành",
        None,
        date(2022, 2, 28),
        "đến hết ngày 28/02/2022",
    ),
    ("thời gian hoàn thành trong tháng 11/2021.", None, date(2021, 11, 30), "trong tháng 11/2021"),
    ("trong tháng 3/2022, hoàn thành tiêm chủng", None, date(2022, 3, 31), "trong tháng 3/2022"),
    ("trong tháng 2 năm 2024", None, date(2024, 2, 29), "trong tháng 2 năm 2024"),
    ("đảm bảo trong vòng 01 tuần phải xác định", MEETING, date(2021, 7, 31), "trong vòng 01 tuần"),
    ("trong vòng hai tuần", MEETING, date(2021, 8, 7), "trong vòng hai tuần"),
    ("trong 03 ngày", MEETING, date(2021, 7, 27), "trong 03 ngày"),
    ("trong 05 ngày làm việc", MEETING, date(2021, 7, 30), "trong 05 ngày làm việc"),
    ("chậm nhất ngày 20/9/2021", None, date(2021, 9, 20), "chậm nhất ngày 20/9/2021"),
    (
        "chậm nhất là ngày 20 tháng 9 năm 2021",
        None,
        date(2021, 9, 20),
        "chậm nhất là ngày 20 tháng 9 năm 2021",
    ),
    ("báo cáo trước 17h00 ngày 30/7", MEETING, date(2021, 7, 30), "trước 17h00 ngày 30/7"),
    ("xong trước tháng 12/2021", None, date(2021, 11, 30), "trước tháng 12/2021"),
    ("hoàn thành trong quý IV/2021", None, date(2021, 12, 31), "trong quý IV/2021"),
    ("trong năm 2022", None, date(2022, 12, 31), "trong năm 2022"),
]


@pytest.mark.parametrize(("text", "reference", "expected", "phrase"), DEADLINES)
def test_it_resolves_deadline_phrases(text, reference, expected, phrase):
    assert parse_deadline(text, reference) == (expected, phrase)


def test_relative_phrase_needs_a_reference_date():
    (deadline,) = find_deadlines("trong vòng 01 tuần")
    assert deadline.date is None
    assert deadline.phrase == "trong vòng 01 tuần"
    assert parse_deadline("trong vòng 01 tuần") == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "Công văn số 246/BCĐ-VP6 ngày 22/10/2021 của Ban Chỉ đạo tỉnh",  # a citation date
        "cách ly tập trung trong 14 ngày",  # a duration, not a deadline
        "chịu trách nhiệm trước Ban Thường vụ Tỉnh ủy",
        "trong thời gian tới",
    ],
)
def test_it_ignores_what_is_not_a_deadline(text):
    assert parse_deadline(text, MEETING) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tại cuộc họp sáng ngày 19/8/2021,", date(2021, 8, 19)),
        ("Ngày 21 tháng 02 năm 2022, Thường trực", date(2022, 2, 21)),
        ("ngày 02-8-2021", date(2021, 8, 2)),
        ("31/02/2022", None),
        ("không có ngày", None),
    ],
)
def test_it_parses_absolute_dates(text, expected):
    assert parse_date(text) == expected


def test_day_month_without_year_takes_the_reference_year():
    assert parse_date("ngày 30/7", MEETING) == date(2021, 7, 30)
    assert parse_date("ngày 05/01", date(2021, 12, 20)) == date(2022, 1, 5)

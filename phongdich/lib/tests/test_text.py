import unicodedata

import pytest

from phongdich.lib.text import fold, name_key, nfc, person_sort_key, vietnamese_sort_key


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("ĐẶNG THỊ ĐỨC", "dang thi duc"),
        ("  Trần   Thị\tHà ", "tran thi ha"),
        ("Lê Hữu Phước", "le huu phuoc"),
        ("Hoàng Ngọc Quỳnh", "hoang ngoc quynh"),
        ("Ưng Hoàng Phúc", "ung hoang phuc"),
        ("Nguyễn-Văn O'Anh", "nguyen van o anh"),
        ("", ""),
    ],
)
def test_it_folds_names_to_search_keys(raw, expected):
    assert name_key(raw) == expected


def test_it_treats_nfd_input_like_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thủy")
    assert decomposed != "Nguyễn Thị Thủy"
    assert nfc(decomposed) == "Nguyễn Thị Thủy"
    assert fold(decomposed) == "nguyen thi thuy"


def test_it_sorts_by_the_vietnamese_alphabet():
    names = ["Đức", "Dung", "Ánh", "Anh", "Ân", "Bình", "Ắt"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Anh",
        "Ánh",
        "Ắt",
        "Ân",
        "Bình",
        "Dung",
        "Đức",
    ]


def test_it_sorts_people_by_given_name_first():
    people = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn An", "Phạm Đức"]
    assert sorted(people, key=person_sort_key) == [
        "Lê Văn An",
        "Nguyễn Thị An",
        "Trần Văn Bình",
        "Phạm Đức",
    ]

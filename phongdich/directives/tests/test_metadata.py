import pytest

from phongdich.directives.extraction.metadata import document_kind, document_number


@pytest.mark.parametrize(
    ("header", "number"),
    [
        ("Số: 123/KL-UBND", "123/KL-UBND"),
        ("Số 99-TB/VPTU", "99-TB/VPTU"),
        ("Số 4399/QĐ-UBND", "4399/QĐ-UBND"),
        ("Số ca mắc tăng", None),  # prose, not a document number
    ],
)
def test_it_reads_the_number_with_or_without_a_colon(header, number):
    assert document_number(header) == number


@pytest.mark.parametrize(
    ("lines", "kind"),
    [
        (
            ["THÔNG BÁO KẾT LUẬN của Thường trực Tỉnh ủy về công tác phòng, chống dịch"],
            "thong_bao_ket_luan",
        ),
        (["THÔNG BÁO", "KẾT LUẬN CỦA BAN THƯỜNG VỤ"], "thong_bao_ket_luan"),
        (["THÔNG BÁO", "Lịch làm việc của Ban Thường vụ Tỉnh ủy trong tuần"], "thong_bao"),
        (["KẾT LUẬN"], "ket_luan"),
    ],
)
def test_it_reads_the_kind_when_the_subtitle_is_joined_to_the_title(lines, kind):
    assert document_kind(lines) == kind

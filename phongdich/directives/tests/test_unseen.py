"""Two conclusions written after the extractor was built (not in ../shared/seeds), annotated
by hand: lettered sub-items under "Giao X:", a heading "X chủ trì, phối hợp với Y:" over dash
bullets, "Yêu cầu X <verb>", relative deadlines. They guard against tuning on the seeds only."""

import pytest

from phongdich.directives.extraction import extract_document

from .conftest import FIXTURES

EXPECTED = {
    "unseen_thong_bao.txt": {
        "document": {"number": "512/TB-UBND", "meeting_date": "2021-12-08",
                     "kind": "thong_bao_ket_luan", "signer": "Nguyễn Văn Hải"},
        "tasks": [
            ("1.a", ["Sở Y tế"], ["Công an tỉnh", "UBND các huyện, thị xã, thành phố"],
             "2021-12-20"),
            ("1.b", ["Sở Y tế"], [], "2021-12-15"),
            ("2", ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
                   "các tổ chức chính trị - xã hội tỉnh"], [], None),
            ("3", ["Sở Tài chính"], ["Sở Y tế"], "2021-12-31"),
            ("4", ["UBND các huyện, thị xã, thành phố"], [], "2021-12-31"),
            ("follow_up", ["Văn phòng UBND tỉnh"], [], None),
        ],
    },
    "unseen_district.txt": {
        "document": {"number": "45/TB-BCĐ", "meeting_date": "2022-01-04",
                     "signer": "Lê Văn Hòa"},
        "tasks": [
            ("1.-1", ["Trung tâm Y tế huyện"], ["Công an huyện"], "2022-01-07"),
            ("1.-2", ["Trung tâm Y tế huyện"], ["Công an huyện"], "2022-01-10"),
            ("2", ["UBND các xã, thị trấn"], [], None),
            ("2#2", ["Phòng Giáo dục và Đào tạo huyện"], ["Trung tâm Y tế huyện"], "2022-01-31"),
        ],
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_reads_conclusions_it_was_not_tuned_on(name):
    result = extract_document((FIXTURES / name).read_text(encoding="utf-8"))
    expected = EXPECTED[name]
    for key, value in expected["document"].items():
        assert result["document"][key] == value, key
    got = [(t["ref"], t["lead"], t["coordinating"], t["deadline"]) for t in result["tasks"]]
    assert got == expected["tasks"]

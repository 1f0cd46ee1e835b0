"""The extractor against the five annotated seed conclusions.

The seeds were the development set of the rules, so their figures are an upper bound: the
floors below are set under what the extractor reaches on them (all 1.0 when written) to
leave room for changes that trade a seed detail for generality. Real, unseen conclusions
score lower; add them to a held-out folder and score them with `directive_score`.
"""

import json

import pytest

from phongdich.directives.extraction import extract_document, is_group_addressee, public_view
from phongdich.directives.extraction.score import score_corpus
from phongdich.directives.tests.conftest import seeds_dir

FLOORS = {
    "task_recall": 0.95,
    "task_precision": 0.9,
    "lead_accuracy": 0.9,
    "lead_recall": 0.9,
    "coordinating_recall": 0.85,
    "deadline_accuracy": 0.95,
    "reference_recall": 0.95,
    "document_fields": 0.9,
}


def _pairs():
    seeds = seeds_dir()
    pairs = []
    for path in sorted(seeds.glob("*.txt")):
        expected = json.loads((seeds / "expected" / f"{path.stem}.json").read_text("utf-8"))
        pairs.append((extract_document(path.read_text("utf-8")), expected))
    return pairs


def test_it_meets_the_floors_on_the_seeds():
    figures = score_corpus(_pairs()).as_dict()
    reached = {
        "task_recall": figures["tasks"]["recall"],
        "task_precision": figures["tasks"]["precision"],
        "lead_accuracy": figures["lead"]["accuracy"],
        "lead_recall": figures["lead"]["recall"],
        "coordinating_recall": figures["coordinating"]["recall"],
        "deadline_accuracy": figures["deadline"]["accuracy"],
        "reference_recall": figures["references"]["recall"],
        "document_fields": figures["document_fields"]["accuracy"],
    }
    below = {k: v for k, v in reached.items() if v < FLOORS[k]}
    assert not below, f"below floor: {below} (all: {figures})"


def test_public_view_has_exactly_the_expected_keys():
    for predicted, expected in _pairs():
        view = public_view(predicted)
        assert list(view) == list(expected)
        assert list(view["document"]) == list(expected["document"])
        for task in view["tasks"]:
            assert list(task) == list(expected["tasks"][0])


def test_spans_point_into_the_normalised_text():
    from phongdich.directives.extraction import normalize_text

    path = sorted(seeds_dir().glob("*.txt"))[0]
    raw = path.read_text("utf-8")
    text = normalize_text(raw)
    for task in extract_document(raw)["tasks"]:
        start, end = task["span"]
        assert 0 <= start < end <= len(text)


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("UBND các huyện, thành phố", True),
        ("các sở, ngành", True),
        ("các địa phương, đơn vị", True),
        ("Ban thường vụ cấp ủy, ủy ban nhân dân, ban chỉ đạo phòng, chống dịch cấp huyện", True),
        ("Sở Y tế", False),
        ("đồng chí Nguyễn Lộc Hà", False),
        ("Mặt trận Tổ quốc Việt Nam tỉnh", False),
        ("(chung)", False),
    ],
)
def test_is_group_addressee(name, group):
    assert is_group_addressee(name) is group


SYNTHETIC = """UỶ BAN NHÂN DÂN
TỈNH QUẢNG NAM
Số: 512/TB-UBND
Quảng Nam, ngày 03 tháng 9 năm 2021

THÔNG BÁO
Kết luận của Chủ tịch UBND tỉnh tại cuộc họp Ban Chỉ đạo phòng, chống dịch COVID-19 tỉnh

Chiều ngày 02/9/2021, Chủ tịch UBND tỉnh chủ trì cuộc họp Ban Chỉ đạo phòng, chống dịch \
COVID-19 tỉnh để đánh giá tình hình và triển khai nhiệm vụ trong thời gian tới. Sau khi nghe \
báo cáo của Sở Y tế và ý kiến các thành viên, Chủ tịch UBND tỉnh kết luận như sau:

I. ĐÁNH GIÁ CHUNG
Thời gian qua các địa phương đã triển khai tốt các biện pháp theo Chỉ thị số 15/CT-TTg.

II. NHIỆM VỤ TRONG THỜI GIAN TỚI
1. Sở Y tế:
a) Chủ trì, phối hợp với UBND các huyện, thị xã, thành phố hoàn thành tiêm vắc xin mũi 1 \
cho người từ 50 tuổi trở lên chậm nhất ngày 20/9/2021.
b) Tham mưu UBND tỉnh ban hành Kế hoạch thu dung điều trị, trình trong vòng 03 ngày.
2. Giao Công an tỉnh phối hợp với Bộ Chỉ huy Quân sự tỉnh tăng cường kiểm soát tại các \
chốt, báo cáo kết quả trước ngày 10/9/2021.
3. UBND các huyện, thị xã, thành phố:
- Rà soát, lập danh sách người về từ vùng dịch, hoàn thành trong tháng 9/2021.
- Xử lý nghiêm các trường hợp vi phạm theo Nghị định số 117/2020/NĐ-CP.

Giao Văn phòng UBND tỉnh theo dõi, đôn đốc việc thực hiện Thông báo này.

Nơi nhận:
- Như trên;
- Lưu: VT.

TL. CHỦ TỊCH
KT. CHÁNH VĂN PHÒNG
PHÓ CHÁNH VĂN PHÒNG

Nguyễn Văn An
"""


def test_it_reads_a_conclusion_with_sections_letters_and_bullets():
    result = public_view(extract_document(SYNTHETIC))
    document = result["document"]
    assert document["number"] == "512/TB-UBND"
    assert document["issued_date"] == "2021-09-03"
    assert document["meeting_date"] == "2021-09-02"
    assert document["province"] == "Quảng Nam"
    assert document["signer"] == "Nguyễn Văn An"
    assert result["references"] == ["117/2020/NĐ-CP", "15/CT-TTg"]
    tasks = {t["ref"]: t for t in result["tasks"]}
    assert list(tasks) == ["II.1.a", "II.1.b", "II.2", "II.3.-1", "II.3.-2", "follow_up"]
    assert tasks["II.1.a"]["lead"] == ["Sở Y tế"]
    assert tasks["II.1.a"]["coordinating"] == ["UBND các huyện, thị xã, thành phố"]
    assert tasks["II.1.a"]["deadline"] == "2021-09-20"
    assert tasks["II.1.b"]["deadline"] == "2021-09-05"  # three days after the meeting
    assert tasks["II.2"]["lead"] == ["Công an tỉnh"]
    assert tasks["II.2"]["coordinating"] == ["Bộ Chỉ huy Quân sự tỉnh"]
    assert tasks["II.3.-1"]["deadline"] == "2021-09-30"
    assert tasks["II.3.-2"]["lead"] == ["UBND các huyện, thị xã, thành phố"]
    assert tasks["follow_up"]["lead"] == ["Văn phòng UBND tỉnh"]


def test_missing_seeds_fail_the_run_where_they_are_required(settings, tmp_path):
    """CI requires the seeds: a missing folder must fail there, not skip quietly."""
    settings.SEEDS_DIR = tmp_path / "nowhere"
    settings.REQUIRE_SEEDS = True
    with pytest.raises(pytest.fail.Exception):
        seeds_dir()
    settings.REQUIRE_SEEDS = False
    with pytest.raises(pytest.skip.Exception):
        seeds_dir()

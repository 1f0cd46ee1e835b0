"""The extractor's vocabulary files: every entry loads, patterns compile, nothing repeats,
and a word added to a file changes what the extractor reads (the files are really used)."""

import re

import pytest

from phongdich.directives.extraction import vocabulary
from phongdich.directives.extraction.tasks import is_non_task
from phongdich.directives.extraction.units import phrase_end

FILES = sorted(p.stem for p in vocabulary.HERE.glob("*.txt"))


@pytest.mark.parametrize("name", FILES)
def test_entries_load_and_do_not_repeat(name):
    entries = vocabulary.entries(name)
    assert entries
    assert len(entries) == len(set(entries)), [e for e in entries if entries.count(e) > 1]


@pytest.mark.parametrize(
    "name", ["non_tasks", "page_noise", "related_headings", "name_continuations"]
)
def test_patterns_compile(name):
    for entry in vocabulary.entries(name):
        re.compile(entry)


@pytest.mark.parametrize(
    ("clause", "non_task"),
    [
        ("Trong tuần qua, toàn tỉnh ghi nhận 12 ca mắc mới.", True),
        ("Thời gian qua, các địa phương đã triển khai tốt các biện pháp.", True),
        ("Chủ tịch UBND tỉnh biểu dương lực lượng tuyến đầu.", True),
        ("Mỗi cán bộ, đảng viên phải gương mẫu.", True),
        ("Người dân cần hạn chế ra khỏi nhà.", True),
        ("Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.", True),
        ("Chiều 12/3, UBND tỉnh có Công văn số 611/UBND-KGVX về việc dạy học trực tiếp.", True),
        ("Sở Y tế đề nghị Thủ trưởng các đơn vị nghiêm túc triển khai thực hiện./.", True),
        ("Sở Y tế cấp đủ túi thuốc cho F0 đang điều trị tại nhà.", False),
        ("Công an tỉnh kiểm soát chặt chẽ các chốt.", False),
        ("UBND các huyện báo cáo số ca mắc trước 15 giờ hằng ngày.", False),
    ],
)
def test_non_task_patterns(clause, non_task):
    assert is_non_task(clause) is non_task


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sở Thông tin và Truyền thông nhắn tin cho thuê bao.", "Sở Thông tin và Truyền thông"),
        ("Trung tâm Kiểm soát bệnh tật tỉnh dự trữ sinh phẩm.", "Trung tâm Kiểm soát bệnh tật tỉnh"),
        ("UBND huyện Trần Văn Thời bổ sung nhân lực.", "UBND huyện Trần Văn Thời"),
        ("UBND các huyện, thị xã, thành phố biên giới tổ chức tổ tự quản.",
         "UBND các huyện, thị xã, thành phố biên giới"),
        ("Bảo hiểm xã hội tỉnh hướng dẫn thanh toán.", "Bảo hiểm xã hội tỉnh"),
        ("các huyện ủy, thị ủy, thành ủy lãnh đạo chính quyền.", "các huyện ủy, thị ủy, thành ủy"),
        ("UBND cấp xã phối hợp tổ chức tiêm.", "UBND cấp xã"),
        ("Ban Chỉ đạo phòng, chống dịch COVID-19 các huyện dự trữ thuốc.",
         "Ban Chỉ đạo phòng, chống dịch COVID-19 các huyện"),
    ],
)  # fmt: skip
def test_a_unit_name_ends_where_the_predicate_begins(text, name):
    assert text[: phrase_end(text, 0)].strip() == name

"""One test per failure kind of issue 16, each on a short excerpt written for the test (our
own wording, shaped like the unseen documents the kinds were seen in). Each asserts the
tasks as (ref, lead, deadline); a kind that regresses fails here by name."""

import pytest

from phongdich.directives.extraction import extract_document

HEAD = "ỦY BAN NHÂN DÂN\nTỈNH PHÚ THỌ\nSố: 101/UBND-VX\nPhú Thọ, ngày 10 tháng 11 năm 2021\n"


def tasks(text):
    return [(t["ref"], t["lead"], t["deadline"]) for t in extract_document(text)["tasks"]]


CASES = {
    "several assignments in one paragraph, joined by semicolons": (
        HEAD + "UBND tỉnh yêu cầu:\n"
        "Giao Sở Y tế rà soát số giường hồi sức, báo cáo trước ngày 15/11/2021; đề nghị "
        "Công an tỉnh kiểm soát người ra vào vùng phong tỏa; Sở Công Thương bảo đảm hàng "
        "hóa cho khu phong tỏa.\n",
        [("p6", ["Sở Y tế"], "2021-11-15"), ("p6#2", ["Công an tỉnh"], None),
         ("p6#3", ["Sở Công Thương"], None)],
    ),
    "several assignments in one numbered item, one sentence each": (
        HEAD + "UBND tỉnh yêu cầu:\n"
        "1. Sở Y tế lấy mẫu toàn bộ tiểu thương chợ Vân Phú. UBND thành phố Việt Trì "
        "tạm dừng hoạt động chợ trong 03 ngày. Công an tỉnh bảo đảm trật tự.\n",
        [("1", ["Sở Y tế"], None), ("1#2", ["UBND thành phố Việt Trì"], None),
         ("1#3", ["Công an tỉnh"], None)],
    ),
    "unit-first paragraphs with no 'giao'": (
        HEAD + "Chủ tịch UBND tỉnh chỉ đạo như sau:\n"
        "Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Y tế hướng dẫn các trường xét "
        "nghiệm cho học sinh.\n"
        "Bộ Chỉ huy Quân sự tỉnh chủ trì, cùng Công an tỉnh quản lý các khu cách ly.\n",
        [("p6", ["Sở Giáo dục và Đào tạo"], None), ("p7", ["Bộ Chỉ huy Quân sự tỉnh"], None)],
    ),
    "a directive quoted inside a news page": (
        "Trang chủ | Tin tức | Chỉ đạo điều hành\n"
        "Cỡ chữ: A- A A+ | In bài\n"
        "Thứ Năm, 11/11/2021 08:00\n"
        "Phú Thọ: Kiểm soát chặt người về từ vùng dịch\n"
        "Chiều 10/11, UBND tỉnh có Công văn số 4021/UBND-KGVX về việc kiểm soát người về "
        "từ vùng dịch.\n"
        "Tại văn bản, Phó Chủ tịch UBND tỉnh đề nghị: Sở Y tế hướng dẫn các huyện cách ly "
        "người về từ vùng dịch, hoàn thành trước ngày 20/11/2021.\n"
        "Ảnh: Chốt kiểm soát tại cầu Phong Châu\n"
        "Thu Trang\n"
        "Tin liên quan\n"
        "Sở Y tế kiểm tra công tác tiêm chủng tại huyện Lâm Thao\n",
        [("p6", ["Sở Y tế"], "2021-11-20")],
    ),
    "ordinal items 'Một là, Hai là'": (
        HEAD + "Chủ tịch UBND tỉnh yêu cầu Sở Y tế tập trung các nhiệm vụ sau:\n"
        "Một là, cập nhật kịch bản 2.000 ca mắc, trình xong trước ngày 20/11/2021.\n"
        "Hai là, Trung tâm Kiểm soát bệnh tật tỉnh giải trình tự gen các mẫu nghi biến "
        "chủng mới.\n",
        [("1", ["Sở Y tế"], "2021-11-20"), ("2", ["Trung tâm Kiểm soát bệnh tật tỉnh"], None)],
    ),
    "deadlines in every written form, on their own clause": (
        HEAD + "UBND tỉnh yêu cầu:\n"
        "1. Sở Y tế cấp túi thuốc cho các xã, báo cáo trước 16h30 ngày 15.11.2021.\n"
        "2. Sở Tài chính bố trí kinh phí, chậm nhất trong tháng 12-2021.\n"
        "3. Sở Xây dựng sửa chữa khu điều trị, thi công xong trước ngày 05/12/2021.\n"
        "4. Sở Kế hoạch và Đầu tư tham mưu vốn cho hệ thống oxy trong quý IV/2021.\n"
        "5. Sở Nội vụ bổ sung biên chế y tế; Sở Tư pháp rà soát văn bản trong vòng 05 ngày.\n",
        [("1", ["Sở Y tế"], "2021-11-15"), ("2", ["Sở Tài chính"], "2021-12-31"),
         ("3", ["Sở Xây dựng"], "2021-12-05"), ("4", ["Sở Kế hoạch và Đầu tư"], "2021-12-31"),
         ("5", ["Sở Nội vụ"], None), ("5#2", ["Sở Tư pháp"], "2021-11-15")],
    ),
    "a paragraph with no subject continues the lead before it": (
        HEAD + "UBND tỉnh yêu cầu:\n"
        "UBND các huyện, thành phố lập danh sách người về quê, gửi Sở Y tế trước ngày "
        "12/11/2021.\n"
        "Bố trí khu cách ly phù hợp với từng đối tượng.\n"
        "Sở Giao thông vận tải tổ chức xe đưa đón người dân.\n",
        [("p6", ["UBND các huyện, thành phố"], "2021-11-12"),
         ("p7", ["UBND các huyện, thành phố"], None), ("p8", ["Sở Giao thông vận tải"], None)],
    ),
    "sentences that are not tasks": (
        HEAD + "Chủ tịch UBND tỉnh kết luận như sau:\n"
        "1. Trong tuần qua, toàn tỉnh ghi nhận 21 ca mắc mới trong cộng đồng.\n"
        "2. Chủ tịch UBND tỉnh biểu dương lực lượng y tế tuyến đầu.\n"
        "3. Sở Y tế công bố cấp độ dịch trước ngày 13/11/2021.\n"
        "4. Mỗi cán bộ, đảng viên phải gương mẫu chấp hành quy định phòng dịch.\n"
        "5. Chủ tịch UBND các huyện chịu trách nhiệm trước Chủ tịch UBND tỉnh nếu để dịch "
        "lây lan.\n"
        "6. Thủ trưởng các sở và Chủ tịch UBND các huyện, thành phố chịu trách nhiệm về kết "
        "quả phòng dịch.\n"
        "Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.\n",
        [("3", ["Sở Y tế"], "2021-11-13")],
    ),
}  # fmt: skip


CASES["a report that goes on after its semicolon, an exhortation as an ordinal"] = (
    HEAD + "Chủ tịch UBND tỉnh kết luận như sau:\n"
    "Một là, thời gian qua dịch cơ bản được kiểm soát; số ca mắc mới giảm so với tuần trước.\n"
    "Hai là, mỗi cán bộ, công chức phải gương mẫu thực hiện 5K.\n"
    "Ba là, Sở Y tế duy trì xét nghiệm tầm soát tại chợ đầu mối.\n",
    [("3", ["Sở Y tế"], None)],
)
CASES["a news item's relative deadline counts from the directive's date"] = (
    "Cập nhật: 12/11/2021 07:30\n"
    "Tối 10/11, Chủ tịch UBND tỉnh ký ban hành Công điện số 09/CĐ-UBND về việc xét nghiệm "
    "diện rộng.\n"
    "Theo Công điện, Chủ tịch UBND tỉnh yêu cầu:\n"
    "- Sở Y tế xét nghiệm toàn bộ người dân phường Gia Cẩm, hoàn thành trong vòng 03 ngày.\n",
    [("p4", ["Sở Y tế"], "2021-11-13")],
)


CASES["a unit that asks others keeps the task; a leader hands it on"] = (
    HEAD + "UBND tỉnh yêu cầu:\n"
    "1. Ban Quản lý các khu công nghiệp tỉnh yêu cầu các doanh nghiệp lập danh sách công "
    "nhân theo ca.\n"
    "2. Đồng chí Phó Chủ tịch UBND tỉnh đề nghị Sở Y tế lấy mẫu công nhân các khu công "
    "nghiệp.\n",
    [("1", ["Ban Quản lý các khu công nghiệp tỉnh"], None), ("2", ["Sở Y tế"], None)],
)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_failure_kind(kind):
    text, expected = CASES[kind]
    assert tasks(text) == expected


def test_a_start_date_and_a_daily_rhythm_are_no_deadline():
    text = (
        HEAD + "UBND tỉnh yêu cầu:\n"
        "UBND thành phố Việt Trì thực hiện giãn cách từ 0 giờ ngày 12/11/2021.\n"
        "Trung tâm Y tế huyện lấy mẫu trong vòng 24 giờ kể từ khi nhận danh sách.\n"
        "Sở Y tế báo cáo số ca mắc trước 15 giờ hằng ngày.\n"
    )
    assert [d for _, _, d in tasks(text)] == [None, None, None]


def test_news_names_its_directive_from_the_prose():
    text, _ = CASES["a directive quoted inside a news page"]
    result = extract_document(text)
    document = result["document"]
    assert (document["kind"], document["number"], document["issued_date"]) == (
        "cong_van",
        "4021/UBND-KGVX",
        "2021-11-10",
    )
    assert result["references"] == []  # its own number is not a citation


def test_each_task_keeps_its_source_span():
    from phongdich.directives.extraction import normalize_text

    text, _ = CASES["several assignments in one paragraph, joined by semicolons"]
    normal = normalize_text(text)
    spans = [normal[slice(*t["span"])] for t in extract_document(text)["tasks"]]
    assert spans[0].startswith("Giao Sở Y tế rà soát")
    assert "Công an tỉnh kiểm soát" in spans[1] and "Sở Y tế" not in spans[1]
    assert spans[2].strip(" ;").startswith("Sở Công Thương")

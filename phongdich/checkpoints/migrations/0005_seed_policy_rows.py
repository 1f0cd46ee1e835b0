"""Seed the province's editable checkpoint policy rows from the built-in tables of rules.py.

Same values as `rules.QUARANTINE_POLICIES` and `rules.DECISION_RULES` on the day the rows
were introduced (copied here so that later edits of the built-in default do not change what
a fresh database starts with). A table that already holds rows (a province that edited the
decision table through the former admin) is left as it is.
"""

from datetime import date

from django.db import migrations

QUARANTINE_POLICIES = [
    {
        "key": "2021-mid",
        "valid_from": date(2021, 7, 1),
        "regulation": "Hướng dẫn của Bộ Y tế giữa năm 2021 (ngày áp dụng chưa xác nhận)",
        "summary": "14 ngày cách ly tập trung, sau đó 14 ngày theo dõi tại nhà",
        "counted_from": "arrival",
        "confirmed": False,
        "groups": [
            ("Mọi người", None, None, 14, 0, 14, ""),
        ],
    },
    {
        "key": "2021-12-16-10696",
        "valid_from": date(2021, 12, 16),
        "regulation": "Công văn 10696/BYT-MT, 16/12/2021",
        "summary": "Tiêm đủ liều hoặc khỏi bệnh ≤ 6 tháng: 7 ngày cách ly tại nhà + 7 ngày tự theo dõi, xét nghiệm ngày 1 và ngày 7",
        "counted_from": "arrival",
        "confirmed": True,
        "groups": [
            ("Tiêm đủ liều hoặc đã khỏi bệnh trong 6 tháng", 2, 183, 0, 7, 7, "1,7"),
            ("Người còn lại (giữ quy định trước)", None, None, 14, 0, 14, ""),
        ],
    },
    {
        "key": "2022-early",
        "valid_from": date(2022, 2, 1),
        "regulation": "Hướng dẫn của Bộ Y tế đầu năm 2022 (số hiệu, ngày chưa xác nhận)",
        "summary": "Tiêm ≥ 2 mũi hoặc khỏi bệnh ≤ 3 tháng: 5 ngày + 5 ngày theo dõi (xét nghiệm ngày 5); người khác: 7 ngày + 3 ngày theo dõi (xét nghiệm ngày 7); tính từ lần tiếp xúc cuối",
        "counted_from": "last_exposure",
        "confirmed": False,
        "groups": [
            ("Tiêm từ 2 mũi hoặc đã khỏi bệnh trong 3 tháng", 2, 92, 0, 5, 5, "5"),
            ("Người còn lại", None, None, 0, 7, 3, "7"),
        ],
    },
    {
        "key": "2022-04-15-1909",
        "valid_from": date(2022, 4, 15),
        "regulation": "Công văn 1909/BYT-DP, 15/4/2022 (nội dung chính xác chưa xác nhận)",
        "summary": "F1 không phải cách ly",
        "counted_from": "arrival",
        "confirmed": False,
        "groups": [
            ("Mọi người", None, None, 0, 0, 0, ""),
        ],
    },
]
DECISION_RULES = [
    ("positive_test", "centralised", "Có kết quả xét nghiệm dương tính", {"test_positive": True}),
    (
        "symptoms_from_area",
        "centralised",
        "Có triệu chứng/sốt và đến từ vùng dịch",
        {"symptoms_or_fever": True, "min_area_level": 1},
    ),
    (
        "passing_through",
        "transit",
        "Điểm đến ngoài tỉnh: đi qua có dẫn đường",
        {"destination_in_province": False},
    ),
    (
        "symptoms",
        "handover",
        "Có triệu chứng/sốt: bàn giao xã để theo dõi, xét nghiệm",
        {"symptoms_or_fever": True},
    ),
    (
        "very_high_area_unvaccinated",
        "centralised",
        "Từ vùng dịch cấp 4, chưa tiêm đủ, không có xét nghiệm âm tính trong 72 giờ",
        {"min_area_level": 4, "without_negative_test_within_hours": 72, "max_doses": 1},
    ),
    (
        "area_without_test",
        "handover",
        "Từ vùng dịch cấp 3 trở lên, không có xét nghiệm âm tính trong 72 giờ",
        {"min_area_level": 3, "without_negative_test_within_hours": 72},
    ),
    (
        "area_unvaccinated",
        "handover",
        "Từ vùng dịch, chưa tiêm đủ liều",
        {"min_area_level": 1, "max_doses": 1},
    ),
    ("default", "let_through", "Không có yếu tố nguy cơ", {}),
]
DECISION_RULES_SOURCE = (
    "Cấu hình của Ban Chỉ đạo tỉnh (theo kết luận seed 001); chưa phải quy định của Bộ Y tế"
)


def seed(apps, schema_editor):
    Policy = apps.get_model("checkpoints", "QuarantinePolicyRow")
    Group = apps.get_model("checkpoints", "QuarantineGroupRow")
    Rule = apps.get_model("checkpoints", "DecisionRuleRow")
    if not Policy.objects.exists():
        for row in QUARANTINE_POLICIES:
            groups = row.pop("groups")
            policy = Policy.objects.create(**row)
            for position, (
                label,
                doses,
                recovered,
                centralised,
                home,
                monitoring,
                tests,
            ) in enumerate(groups, start=1):
                Group.objects.create(
                    policy=policy,
                    position=position * 10,
                    label=label,
                    min_doses=doses,
                    recovered_within_days=recovered,
                    centralised_days=centralised,
                    home_days=home,
                    monitoring_days=monitoring,
                    test_days=tests,
                )
    if not Rule.objects.exists():
        for position, (key, decision, reason, conditions) in enumerate(DECISION_RULES, start=1):
            Rule.objects.create(
                position=position * 10,
                key=key,
                decision=decision,
                reason=reason,
                source=DECISION_RULES_SOURCE,
                unconfirmed=True,
                **conditions,
            )


class Migration(migrations.Migration):
    dependencies = [("checkpoints", "0004_quarantine_policy_rows")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

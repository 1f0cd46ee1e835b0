"""Citations without working notes: the seeded sources carried remarks such as "(số hiệu,
ngày chưa xác nhận)" and "theo kết luận seed 001", which then reached the pages and the
papers printed for households. Whether a row is checked against its document is the row's
own flag (`confirmed` / `unconfirmed`), which the pages show as a badge; the citation names
only the document.

Only values still equal to what migration 0005 seeded are rewritten, so a province's own
wording is kept. Quarantine records copied the citation when they were opened; their copies
are cleaned the same way.
"""

from django.db import migrations

REGULATIONS = {
    "Hướng dẫn của Bộ Y tế giữa năm 2021 (ngày áp dụng chưa xác nhận)": (
        "Hướng dẫn của Bộ Y tế giữa năm 2021"
    ),
    "Hướng dẫn của Bộ Y tế đầu năm 2022 (số hiệu, ngày chưa xác nhận)": (
        "Hướng dẫn của Bộ Y tế đầu năm 2022"
    ),
    "Công văn 1909/BYT-DP, 15/4/2022 (nội dung chính xác chưa xác nhận)": (
        "Công văn 1909/BYT-DP, 15/4/2022"
    ),
}
DECISION_SOURCES = {
    "Cấu hình của Ban Chỉ đạo tỉnh (theo kết luận seed 001); chưa phải quy định của Bộ Y tế": (
        "Cấu hình của Ban Chỉ đạo tỉnh"
    ),
}


def clean(apps, schema_editor):
    Policy = apps.get_model("checkpoints", "QuarantinePolicyRow")
    Rule = apps.get_model("checkpoints", "DecisionRuleRow")
    Quarantine = apps.get_model("checkpoints", "HomeQuarantine")
    for old, new in REGULATIONS.items():
        Policy.objects.filter(regulation=old).update(regulation=new)
        Quarantine.objects.filter(policy_source=old).update(policy_source=new)
    for old, new in DECISION_SOURCES.items():
        Rule.objects.filter(source=old).update(source=new)


class Migration(migrations.Migration):
    dependencies = [("checkpoints", "0006_merge_policy_rows_and_submission_keys")]
    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]

"""Seed the hotline's configurable data: branches, SLA targets, NQ 68 support lines.

Branches follow Hà Nội's 1022 menu (from 19/8/2021; RULES.md): 1 emergency (115),
2 CDC, 3 F0 home-treatment advice (from 17/12/2021), 4 reports of violations, 5 social
welfare, 6 food and essentials, 7 administrative procedures; 9 other. All are editable.
"""

from datetime import date

from django.db import migrations

CATEGORIES = [
    ("emergency", 1, "Cấp cứu (115)", "P1"),
    ("cdc", 2, "CDC / dịch tễ", "P3"),
    ("f0_advice", 3, "Tư vấn điều trị F0 tại nhà", "P2"),
    ("violation", 4, "Phản ánh vi phạm (người về không khai báo…)", "P3"),
    ("social_welfare", 5, "An sinh xã hội", "P3"),
    ("food", 6, "Lương thực, nhu yếu phẩm", "P3"),
    ("admin_procedures", 7, "Thủ tục hành chính", "P4"),
    ("other", 9, "Khác", "P4"),
]
# The province's choice of targets (not a Ministry rule): editable in the admin.
SLA = [
    ("P1", 15, "15 phút"),
    ("P2", 120, "2 giờ"),
    ("P3", 24 * 60, "24 giờ"),
    ("P4", 72 * 60, "72 giờ"),
]
NQ68 = "Nghị quyết 68/NQ-CP ngày 01/7/2021; Quyết định 23/2021/QĐ-TTg"
POLICIES = [
    # code, label, amount, per_day, max_days, once, max_age_exclusive, confirmed
    ("f0_food", "F0 điều trị: tiền ăn 80.000 đ/người/ngày (tối đa 45 ngày)", 80_000, True, 45,
     False, None, True),
    ("f1_food", "F1 cách ly: tiền ăn 80.000 đ/người/ngày (tối đa 21 ngày)", 80_000, True, 21,
     False, None, True),
    ("child_once", "Trẻ em dưới 16 tuổi là F0 hoặc cách ly: 1.000.000 đ một lần", 1_000_000,
     False, None, True, 16, True),
    ("labour_suspension", "Người lao động tạm hoãn hợp đồng (chưa xác minh mức)", 1_855_000,
     False, None, False, None, False),
    ("work_stoppage", "Người lao động ngừng việc (chưa xác minh mức)", 1_000_000, False, None,
     False, None, False),
    ("household_business", "Hộ kinh doanh tạm ngừng (chưa xác minh mức)", 3_000_000, False,
     None, False, None, False),
]


def seed(apps, schema_editor):
    Category = apps.get_model("hotline", "Category")
    SlaPolicy = apps.get_model("hotline", "SlaPolicy")
    SupportPolicy = apps.get_model("hotline", "SupportPolicy")
    for code, number, name, priority in CATEGORIES:
        Category.objects.update_or_create(
            code=code,
            defaults={"branch_number": number, "name": name, "default_priority": priority},
        )
    for priority, minutes, note in SLA:
        SlaPolicy.objects.update_or_create(
            priority=priority, defaults={"minutes": minutes, "note": note}
        )
    for code, label, amount, per_day, max_days, once, max_age, confirmed in POLICIES:
        SupportPolicy.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "amount_vnd": amount,
                "per_day": per_day,
                "max_days": max_days,
                "once_per_person": once,
                "max_age_exclusive": max_age,
                "source": NQ68,
                "valid_from": date(2021, 7, 1),
                "confirmed": confirmed,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

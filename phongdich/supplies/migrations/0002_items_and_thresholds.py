"""The items a province tracks from the first day, and the default alert thresholds (the
province's own choice, editable at /policy/supply-alerts/)."""

from django.db import migrations

ITEMS = [
    ("oxy-long", "Oxy lỏng", "liquid_oxygen", "kg"),
    ("binh-oxy-40l", "Bình oxy 40 lít", "oxygen_cylinder", "bình"),
    ("binh-oxy-10l", "Bình oxy 10 lít", "oxygen_cylinder", "bình"),
    ("may-tao-oxy", "Máy tạo oxy", "concentrator", "máy"),
    ("may-tho", "Máy thở", "ventilator", "máy"),
    ("sinh-pham-pcr", "Sinh phẩm RT-PCR", "pcr_reagent", "test"),
    ("test-nhanh", "Kit test nhanh kháng nguyên", "rapid_test", "test"),
    ("tui-thuoc-a", "Túi thuốc A (F0 không triệu chứng)", "medicine_bag", "túi"),
    ("tui-thuoc-b", "Túi thuốc B (F0 có triệu chứng)", "medicine_bag", "túi"),
    ("tui-thuoc-c", "Túi thuốc C (kháng virus)", "medicine_bag", "túi"),
    ("bo-phong-ho", "Bộ trang phục phòng hộ", "protective", "bộ"),
]
THRESHOLDS = [
    ("liquid_oxygen", 8, "hours"),
    ("oxygen_cylinder", 8, "hours"),
    ("rapid_test", 3, "days"),
    ("pcr_reagent", 3, "days"),
]


def seed(apps, schema_editor):
    Item = apps.get_model("supplies", "Item")
    AlertThreshold = apps.get_model("supplies", "AlertThreshold")
    for code, name, kind, unit in ITEMS:
        Item.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "unit_of_measure": unit}
        )
    for kind, within, per in THRESHOLDS:
        AlertThreshold.objects.get_or_create(item_kind=kind, defaults={"within": within, "per": per})


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_ledger")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The items a province tracks from the first day (code: name, kind, unit of measure).
Migration 0002 seeds a frozen copy of this list; the demo and tests read it here."""

ITEMS = {
    "oxy-long": ("Oxy lỏng", "liquid_oxygen", "kg"),
    "binh-oxy-40l": ("Bình oxy 40 lít", "oxygen_cylinder", "bình"),
    "binh-oxy-10l": ("Bình oxy 10 lít", "oxygen_cylinder", "bình"),
    "may-tao-oxy": ("Máy tạo oxy", "concentrator", "máy"),
    "may-tho": ("Máy thở", "ventilator", "máy"),
    "sinh-pham-pcr": ("Sinh phẩm RT-PCR", "pcr_reagent", "test"),
    "test-nhanh": ("Kit test nhanh kháng nguyên", "rapid_test", "test"),
    "tui-thuoc-a": ("Túi thuốc A (F0 không triệu chứng)", "medicine_bag", "túi"),
    "tui-thuoc-b": ("Túi thuốc B (F0 có triệu chứng)", "medicine_bag", "túi"),
    "tui-thuoc-c": ("Túi thuốc C (kháng virus)", "medicine_bag", "túi"),
    "bo-phong-ho": ("Bộ trang phục phòng hộ", "protective", "bộ"),
}


def item(code: str):
    """The catalogue item `code`, made if missing (a fresh database, a flushed test)."""
    from .models import Item

    name, kind, unit = ITEMS[code]
    found, _created = Item.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "unit_of_measure": unit}
    )
    return found

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "phongdich.supplies"
    label = "supplies"
    verbose_name = "Vật tư, oxy và sinh phẩm"

    def ready(self):
        from phongdich.accounts.models import Role
        from phongdich.policy.registry import PolicyTable, register
        from phongdich.web.navigation import NavItem
        from phongdich.web.navigation import register as register_nav

        from .models import AlertThreshold
        from .selectors import BOARD_ROLES

        register_nav(
            NavItem(_("Vật tư, oxy"), "supplies:board", (*BOARD_ROLES, Role.FACILITY_OFFICER), 47)
        )
        register(
            PolicyTable(
                slug="supply-alerts",
                model=AlertThreshold,
                label=_("Ngưỡng báo động hết vật tư"),
                group=_("Vật tư, oxy và sinh phẩm"),
                description=_(
                    "Báo động khi một nơi chỉ còn đủ dùng trong khoảng thời gian này theo "
                    "mức tiêu thụ 7 ngày qua. Nhóm không có dòng nào dùng ngưỡng mặc định: "
                    "oxy 8 giờ, kit xét nghiệm 3 ngày."
                ),
                fields=("item_kind", "within", "per", "note", "active"),
                list_fields=("item_kind", "within", "per", "note"),
                regulation_text=_("Tỉnh tự quy định"),
                fixed_fields=("item_kind",),
                ordering=("item_kind",),
            )
        )

"""The hotline's policy tables on the province's policy pages (/policy/)."""

from django.utils.translation import gettext_lazy as _

from phongdich.policy.registry import PolicyTable, register

from .models import Category, ResponsibleUnit, RoutingRule, SlaPolicy, SupportPolicy

GROUP = _("Tổng đài 1022 và hỗ trợ người dân")
PROVINCE_CHOICE = _("Lựa chọn của tỉnh (không phải quy định của Bộ Y tế)")


def register_tables() -> None:
    register(
        PolicyTable(
            slug="hotline-categories",
            model=Category,
            label=_("Nhánh tổng đài"),
            group=GROUP,
            description=_("Các nhánh người gọi chọn và mức ưu tiên mặc định của mỗi nhánh."),
            fields=("code", "branch_number", "name", "description", "default_priority", "active"),
            list_fields=("branch_number", "code", "name", "default_priority"),
            regulation_text=_(
                "Theo menu Tổng đài 1022 của Hà Nội (từ 19/8/2021); tỉnh tự điều chỉnh"
            ),
            fixed_fields=("code",),
            filter_fields=("default_priority",),
            search_fields=("name", "code"),
            ordering=("branch_number", "code"),
        )
    )
    register(
        PolicyTable(
            slug="hotline-sla",
            model=SlaPolicy,
            label=_("Thời hạn xử lý theo mức ưu tiên"),
            group=GROUP,
            description=_(
                "Hạn xử lý của phiếu mới tính từ lúc tạo phiếu; quá hạn thì báo cấp trên."
            ),
            fields=("priority", "minutes", "note"),
            list_fields=("priority", "minutes", "note", "updated_at"),
            regulation_text=PROVINCE_CHOICE,
            active_field=None,
            fixed_fields=("priority",),
            ordering=("priority",),
        )
    )
    register(
        PolicyTable(
            slug="hotline-units",
            model=ResponsibleUnit,
            label=_("Đơn vị tiếp nhận và đầu mối"),
            group=GROUP,
            description=_(
                "Đơn vị nhận phiếu; các đầu mối nhận email khi phiếu của đơn vị quá hạn."
            ),
            fields=("name", "kind", "admin_unit", "focal_points", "phone", "email", "active"),
            list_fields=("name", "kind", "admin_unit", "focal_points", "phone", "email"),
            regulation_text=PROVINCE_CHOICE,
            unit_field="admin_unit",
            filter_fields=("kind",),
            search_fields=("name",),
            ordering=("admin_unit__path", "name"),
        )
    )
    register(
        PolicyTable(
            slug="hotline-routing",
            model=RoutingRule,
            label=_("Quy tắc chuyển phiếu"),
            group=GROUP,
            description=_(
                "Nhánh × địa bàn → đơn vị tiếp nhận. Quy tắc của đúng nhánh thắng quy tắc "
                "mọi nhánh; địa bàn càng nhỏ càng được ưu tiên."
            ),
            fields=("category", "admin_unit", "unit", "active"),
            list_fields=("category", "admin_unit", "unit"),
            regulation_text=PROVINCE_CHOICE,
            unit_field="admin_unit",
            filter_fields=("category",),
            search_fields=("admin_unit__name", "unit__name"),
            ordering=("admin_unit__path", "category__branch_number"),
        )
    )
    register(
        PolicyTable(
            slug="hotline-support",
            model=SupportPolicy,
            label=_("Chính sách hỗ trợ (Nghị quyết 68/NQ-CP)"),
            group=GROUP,
            description=_("Mức hỗ trợ dùng khi ghi nhận chi trả cho người dân."),
            fields=(
                "code",
                "label",
                "amount_vnd",
                "per_day",
                "max_days",
                "once_per_person",
                "max_age_exclusive",
                "source",
                "valid_from",
                "confirmed",
                "active",
            ),
            list_fields=("code", "label", "amount_vnd", "per_day", "max_days", "valid_from"),
            regulation_field="source",
            confirmed_field="confirmed",
            fixed_fields=("code",),
            search_fields=("label", "code"),
            ordering=("code",),
        )
    )

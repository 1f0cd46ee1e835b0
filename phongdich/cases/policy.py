"""The F0 app's policy table on the province's policy pages (/policy/)."""

from django.utils.translation import gettext_lazy as _

from phongdich.policy.registry import PolicyTable, register

from .models import ThresholdRow


def register_tables() -> None:
    register(
        PolicyTable(
            slug="case-thresholds",
            model=ThresholdRow,
            label=_("Ngưỡng lâm sàng theo dõi F0"),
            group=_("Quản lý F0"),
            description=_(
                "Ngưỡng dấu hiệu nguy hiểm, điều kiện điều trị tại nhà, phân loại mức độ và "
                "thời gian kết thúc cách ly. Mỗi ngưỡng do quy tắc tính toán đặt tên nên "
                "không thêm hay ngừng được; chỉ sửa giá trị và văn bản căn cứ."
            ),
            fields=("key", "value", "note", "regulation", "valid_from", "confirmed"),
            list_fields=("key", "value", "note", "valid_from"),
            regulation_field="regulation",
            confirmed_field="confirmed",
            active_field=None,
            can_create=False,
            fixed_fields=("key",),
            search_fields=("key", "note", "regulation"),
            ordering=("key",),
        )
    )

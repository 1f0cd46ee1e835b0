"""The zones' policy tables on the province's policy pages (/policy/)."""

from django.utils.translation import gettext_lazy as _

from phongdich.policy.registry import PolicyTable, register

from .models import ClassRule, RuleValue

GROUP = _("Vùng phong tỏa, giãn cách")


def register_tables() -> None:
    register(
        PolicyTable(
            slug="zone-class-rules",
            model=ClassRule,
            label=_("Ngưỡng phân loại vùng nguy cơ"),
            group=GROUP,
            description=_(
                "Một xã hoặc một vùng được đề xuất vào phân loại cao nhất mà nó đạt một "
                "ngưỡng bất kỳ (ô để trống không xét), tính trên số ngày của dòng; không "
                "đạt phân loại nào là vùng xanh. Mỗi phân loại dùng dòng đang dùng có ngày "
                "áp dụng muộn nhất; thay đổi từ một ngày là một dòng mới từ ngày đó."
            ),
            fields=(
                "risk_class",
                "valid_from",
                "window_days",
                "min_cases",
                "min_cases_per_100k",
                "min_positives",
                "min_clusters",
                "min_clusters_no_source",
                "note",
                "regulation",
                "confirmed",
                "active",
            ),
            list_fields=(
                "risk_class",
                "valid_from",
                "window_days",
                "min_cases",
                "min_cases_per_100k",
                "min_positives",
                "min_clusters",
                "min_clusters_no_source",
            ),
            regulation_field="regulation",
            confirmed_field="confirmed",
            filter_fields=("risk_class",),
            ordering=("risk_class", "-valid_from"),
        )
    )
    register(
        PolicyTable(
            slug="zone-rule-values",
            model=RuleValue,
            label=_("Số ngày của quy tắc gỡ phong tỏa và cung ứng lương thực"),
            group=GROUP,
            description=_(
                "Số ngày không có ca mắc mới trước khi vùng được gỡ phong tỏa, và số ngày một "
                "hộ chưa được giao lương thực thì được đưa vào danh sách cần xử lý. Mỗi quy "
                "tắc dùng dòng đang dùng có ngày áp dụng muộn nhất."
            ),
            fields=("key", "valid_from", "value", "note", "regulation", "confirmed", "active"),
            list_fields=("key", "valid_from", "value", "note"),
            regulation_field="regulation",
            confirmed_field="confirmed",
            filter_fields=("key",),
            ordering=("key", "-valid_from"),
        )
    )

"""The labtests policy table on the province's policy pages (/policy/)."""

from django.utils.translation import gettext_lazy as _

from phongdich.policy.registry import PolicyTable, register

from .models import PoolSizeRule


def register_tables() -> None:
    register(
        PolicyTable(
            slug="labtests-pool-size",
            model=PoolSizeRule,
            label=_("Cỡ mẫu gộp xét nghiệm"),
            group=_("Xét nghiệm"),
            description=_(
                "Số mẫu tối đa trong một mẫu gộp theo loại xét nghiệm, từ ngày áp dụng. Mẫu "
                "gộp giữ cỡ áp dụng vào ngày bắt đầu gộp. Không có dòng nào: RT-PCR gộp tối "
                "đa 10 mẫu; test nhanh không gộp."
            ),
            fields=("kind", "max_size", "valid_from", "regulation", "confirmed"),
            list_fields=("kind", "max_size", "valid_from", "regulation"),
            regulation_field="regulation",
            confirmed_field="confirmed",
            filter_fields=("kind",),
            search_fields=("regulation",),
            ordering=("kind", "-valid_from"),
        )
    )

"""The vaccination policy tables on the province's policy pages (/policy/)."""

from django.utils.translation import gettext_lazy as _

from phongdich.policy.registry import PolicyTable, register

from .models import EligibilityRow, IntervalRow, MixRow, VaccineProduct

GROUP = _("Tiêm chủng")


def register_tables() -> None:
    register(
        PolicyTable(
            slug="vaccine-products",
            model=VaccineProduct,
            label=_("Vắc xin"),
            group=GROUP,
            description=_(
                "Các loại vắc xin được ghi nhận và số mũi của liều cơ bản. Tên khác giúp "
                "nhận ra vắc xin trong tệp nhập từ nền tảng tiêm chủng."
            ),
            fields=(
                "code",
                "name",
                "primary_doses",
                "aliases",
                "regulation",
                "confirmed",
                "active",
            ),
            list_fields=("code", "name", "primary_doses", "aliases"),
            regulation_field="regulation",
            confirmed_field="confirmed",
            fixed_fields=("code",),
            ordering=("name",),
        )
    )
    register(
        PolicyTable(
            slug="vaccine-intervals",
            model=IntervalRow,
            label=_("Khoảng cách giữa các mũi tiêm"),
            group=GROUP,
            description=_(
                "Mũi tiêm được tiêm sớm nhất sau mũi trước số ngày tối thiểu. Trong các dòng "
                "đang áp dụng vào ngày tiêm, dòng ghi đúng vắc xin của mũi trước được ưu tiên, "
                "sau đó đến dòng có ngày áp dụng muộn nhất."
            ),
            fields=(
                "key",
                "valid_from",
                "product",
                "dose_number",
                "kind",
                "min_age",
                "max_age",
                "min_days",
                "recommended_days",
                "regulation",
                "confirmed",
                "active",
            ),
            list_fields=(
                "valid_from",
                "product",
                "dose_number",
                "kind",
                "min_age",
                "max_age",
                "min_days",
                "recommended_days",
            ),
            regulation_field="regulation",
            confirmed_field="confirmed",
            fixed_fields=("key",),
            filter_fields=("kind", "product"),
            ordering=("dose_number", "valid_from", "key"),
        )
    )
    register(
        PolicyTable(
            slug="vaccine-eligibility",
            model=EligibilityRow,
            label=_("Độ tuổi được tiêm theo thời gian"),
            group=GROUP,
            description=_(
                "Từ ngày áp dụng, người trong độ tuổi được tiêm loại vắc xin đã ghi (để trống: "
                "mọi loại). Mũi tiêm cho người ngoài các độ tuổi này vẫn được ghi nhận và đưa "
                "vào danh sách cần rà soát."
            ),
            fields=(
                "key",
                "valid_from",
                "product",
                "min_age",
                "max_age",
                "regulation",
                "confirmed",
                "active",
            ),
            list_fields=("valid_from", "product", "min_age", "max_age"),
            regulation_field="regulation",
            confirmed_field="confirmed",
            fixed_fields=("key",),
            filter_fields=("product",),
            ordering=("valid_from", "min_age", "key"),
        )
    )
    register(
        PolicyTable(
            slug="vaccine-mixes",
            model=MixRow,
            label=_("Phối hợp vắc xin trong liều cơ bản"),
            group=GROUP,
            description=_(
                "Mũi cơ bản khác loại với mũi trước chỉ phù hợp khi có dòng ở bảng này; mũi "
                "khác loại không có trong bảng được đưa vào danh sách cần rà soát."
            ),
            fields=(
                "key",
                "valid_from",
                "first",
                "then",
                "dose_number",
                "min_age",
                "regulation",
                "confirmed",
                "active",
            ),
            list_fields=("valid_from", "first", "then", "dose_number", "min_age"),
            regulation_field="regulation",
            confirmed_field="confirmed",
            fixed_fields=("key",),
            ordering=("valid_from", "key"),
        )
    )

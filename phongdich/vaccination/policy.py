"""The vaccination policy tables on the province's policy pages (/policy/)."""

from django.utils.translation import gettext_lazy as _

from phongdich.policy.registry import PolicyTable, register

from . import rules
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


# --- the rows as the rules' values --------------------------------------------------------------------------------


def policy_seed_if_empty() -> None:
    """Put the built-in tables in an empty database (one emptied by a test's flush, or a
    demo loaded before the seed migration's rows existed); rows already there stay."""
    if VaccineProduct.objects.exists():
        return
    products = {
        p.code: VaccineProduct.objects.create(
            code=p.code, name=p.name, primary_doses=p.primary_doses, confirmed=p.confirmed
        )
        for p in rules.PRODUCTS
    }
    for r in rules.INTERVALS:
        IntervalRow.objects.create(
            key=r.key,
            valid_from=r.valid_from,
            dose_number=r.dose_number,
            kind=r.kind,
            min_days=r.min_days,
            recommended_days=r.recommended_days,
            regulation=r.regulation,
            product=products.get(r.product),
            min_age=r.min_age,
            max_age=r.max_age,
            confirmed=r.confirmed,
        )
    for r in rules.ELIGIBILITY:
        EligibilityRow.objects.create(
            key=r.key,
            valid_from=r.valid_from,
            min_age=r.min_age,
            max_age=r.max_age,
            regulation=r.regulation,
            product=products.get(r.product),
            confirmed=r.confirmed,
        )
    for r in rules.MIXES:
        MixRow.objects.create(
            key=r.key,
            valid_from=r.valid_from,
            first=products[r.first],
            then=products[r.then],
            dose_number=r.dose_number,
            regulation=r.regulation,
            min_age=r.min_age,
            confirmed=r.confirmed,
        )


def policy() -> rules.Policy:
    """The active policy rows as the rules' values (four small queries)."""
    products = tuple(
        rules.Product(p.code, p.name, p.primary_doses, p.confirmed)
        for p in VaccineProduct.objects.filter(active=True)
    )
    intervals = tuple(
        rules.Interval(
            r.key,
            r.valid_from,
            r.dose_number,
            r.kind,
            r.min_days,
            r.recommended_days,
            r.regulation,
            r.product.code if r.product_id else "",
            r.min_age,
            r.max_age,
            r.confirmed,
        )
        for r in IntervalRow.objects.filter(active=True).select_related("product")
    )
    eligibility = tuple(
        rules.Eligibility(
            r.key,
            r.valid_from,
            r.min_age,
            r.max_age,
            r.regulation,
            r.product.code if r.product_id else "",
            r.confirmed,
        )
        for r in EligibilityRow.objects.filter(active=True).select_related("product")
    )
    mixes = tuple(
        rules.Mix(
            r.key,
            r.valid_from,
            r.first.code,
            r.then.code,
            r.dose_number,
            r.regulation,
            r.min_age,
            r.confirmed,
        )
        for r in MixRow.objects.filter(active=True).select_related("first", "then")
    )
    return rules.Policy(products, intervals, eligibility, mixes)

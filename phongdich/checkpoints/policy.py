"""The checkpoints' policy tables on the province's policy pages (/policy/)."""

from django.utils.translation import gettext_lazy as _

from phongdich.policy.registry import PolicyTable, register

from .models import DecisionRuleRow, QuarantineGroupRow, QuarantinePolicyRow

GROUP = _("Chốt kiểm soát và cách ly")


def register_tables() -> None:
    register(
        PolicyTable(
            slug="quarantine-policies",
            model=QuarantinePolicyRow,
            label=_("Quy định cách ly theo thời gian"),
            group=GROUP,
            description=_(
                "Mỗi dòng áp dụng từ ngày của nó đến ngày của dòng sau (hoặc đến ngày kết "
                "thúc nếu có). Thời gian cách ly của từng nhóm người ở bảng bên dưới."
            ),
            fields=(
                "key",
                "valid_from",
                "valid_to",
                "regulation",
                "summary",
                "counted_from",
                "confirmed",
                "active",
            ),
            list_fields=("valid_from", "valid_to", "key", "summary", "counted_from"),
            regulation_field="regulation",
            confirmed_field="confirmed",
            fixed_fields=("key",),
            filter_fields=("counted_from",),
            ordering=("valid_from", "key"),
        )
    )
    register(
        PolicyTable(
            slug="quarantine-groups",
            model=QuarantineGroupRow,
            label=_("Thời gian cách ly theo nhóm (tiêm chủng, đã khỏi bệnh)"),
            group=GROUP,
            description=_(
                "Trong một quy định, nhóm đầu tiên (theo thứ tự) khớp với người được bàn giao "
                "sẽ áp dụng; nhóm không ghi điều kiện áp dụng cho mọi người còn lại."
            ),
            fields=(
                "policy",
                "position",
                "label",
                "min_doses",
                "recovered_within_days",
                "centralised_days",
                "home_days",
                "monitoring_days",
                "test_days",
                "active",
            ),
            list_fields=(
                "policy",
                "position",
                "label",
                "min_doses",
                "recovered_within_days",
                "centralised_days",
                "home_days",
                "monitoring_days",
                "test_days",
            ),
            regulation_field="policy.regulation",
            confirmed_field="policy.confirmed",
            filter_fields=("policy",),
            ordering=("policy__valid_from", "position", "pk"),
        )
    )
    register(
        PolicyTable(
            slug="checkpoint-decisions",
            model=DecisionRuleRow,
            label=_("Bảng gợi ý quyết định tại chốt"),
            group=GROUP,
            description=_(
                "Dòng đầu tiên (theo thứ tự) mà mọi điều kiện đã ghi đều đúng sẽ quyết định "
                "gợi ý; điều kiện để trống thì không xét. Cán bộ chốt vẫn tự quyết định."
            ),
            fields=(
                "position",
                "key",
                "decision",
                "reason",
                "symptoms_or_fever",
                "test_positive",
                "destination_in_province",
                "min_area_level",
                "without_negative_test_within_hours",
                "max_doses",
                "source",
                "unconfirmed",
                "active",
            ),
            list_fields=(
                "position",
                "key",
                "reason",
                "decision",
                "min_area_level",
                "without_negative_test_within_hours",
                "max_doses",
            ),
            regulation_field="source",
            unconfirmed_field="unconfirmed",
            fixed_fields=("key",),
            filter_fields=("decision",),
            ordering=("position", "pk"),
        )
    )

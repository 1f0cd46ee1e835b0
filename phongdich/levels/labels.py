"""Words for the codes an assessment stores (criterion keys, results, unconfirmed items,
missing inputs), in the reader's language: the stored outcome holds codes, never labels,
so an English reader sees no Vietnamese from data and the label can be corrected later."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rules

CRITERIA = {
    "cases": gettext_lazy("F0 mới trong cộng đồng /100.000 dân/tuần"),
    "adults_at_least_one": gettext_lazy("Từ 18 tuổi tiêm ít nhất 1 mũi"),
    "over_50_full": gettext_lazy("Từ 50 tuổi tiêm đủ liều cơ bản"),
    "population_full": gettext_lazy("Toàn dân tiêm đủ liều cơ bản"),
    "high_risk_full": gettext_lazy(
        "Người nguy cơ cao tiêm đủ liều cơ bản (tính theo nhóm từ 50 tuổi)"
    ),
    "free_beds_per_100k": gettext_lazy("Giường điều trị COVID còn trống /100.000 dân"),
    "deaths_per_100k": gettext_lazy("Tử vong /100.000 dân/tuần (trên ngưỡng: tăng 1 cấp)"),
    "capacity": gettext_lazy("Năng lực đáp ứng (giường trống /100.000 dân; hồi sức)"),
    "severe_per_100k": gettext_lazy("Ca cần thở oxy, thở máy /100.000 dân/tuần"),
    "home_care": gettext_lazy(
        "Năng lực quản lý F0 tại nhà (F0 tại nhà mỗi nhân viên y tế xã, tổ chăm sóc)"
    ),
    "home_f0_per_staff": gettext_lazy("F0 tại nhà mỗi nhân viên y tế xã, tổ chăm sóc"),
    "cases_per_100k": gettext_lazy("F0 mới trong cộng đồng /100.000 dân/tuần"),
}
# Thresholds that are not a criterion of their own (the policy rows' page names them).
THRESHOLDS = {
    "capacity_high_beds": gettext_lazy("Năng lực cao: giường trống /100.000 dân từ"),
    "capacity_medium_beds": gettext_lazy("Năng lực trung bình: giường trống /100.000 dân từ"),
    "capacity_icu": gettext_lazy("Giường hồi sức còn trống tối thiểu (năng lực cao)"),
    "capacity_high_home": gettext_lazy(
        "Năng lực cao: F0 tại nhà mỗi nhân viên trạm y tế, tổ chăm sóc tối đa"
    ),
    "capacity_medium_home": gettext_lazy(
        "Năng lực trung bình: F0 tại nhà mỗi nhân viên trạm y tế, tổ chăm sóc tối đa"
    ),
}
RESULTS = {
    rules.MET: gettext_lazy("đạt"),
    rules.NOT_MET: gettext_lazy("không đạt"),
    rules.MISSING: gettext_lazy("không có số liệu"),
    rules.RAISED: gettext_lazy("tăng 1 cấp"),
    rules.NOT_RAISED: gettext_lazy("không tăng"),
    rules.SHOWN: gettext_lazy("chỉ để theo dõi (văn bản chưa có ngưỡng đã đối chiếu)"),
    rules.HIGH: gettext_lazy("cao"),
    rules.MEDIUM: gettext_lazy("trung bình"),
    rules.LOW: gettext_lazy("thấp"),
}
SOURCES = {
    rules.SRC_4800: gettext_lazy("4800/QĐ-BYT, 12/10/2021"),
    rules.SRC_218: gettext_lazy("218/QĐ-BYT, 27/01/2022"),
}


def result(code: str) -> str:
    if code and code.startswith("level_"):
        return _("mức %(level)s") % {"level": code.removeprefix("level_")}
    return str(RESULTS.get(code, code))


def unconfirmed(code: str) -> str:
    kind, _sep, rest = code.partition(":")
    if kind == "band":
        return _("ngưỡng ca mắc %(band)s") % {"band": rest}
    if kind == "cell":
        row, _sep, col = rest.partition(":")
        col = {"True": _("đạt bao phủ"), "False": _("không đạt bao phủ")}.get(col) or result(col)
        return _("ô ma trận (%(row)s, %(col)s)") % {"row": row, "col": col}
    if code == "criterion_3":
        return _("tiêu chí 3: không hạ cấp khi năng lực điều trị không đạt")
    if code == "capacity":
        return _("ngưỡng năng lực đáp ứng")
    if code == "severe":
        return _("ngưỡng ca cần thở oxy, thở máy (tăng 1 cấp)")
    return code


def criteria(outcome: dict) -> list[dict]:
    return [
        {
            "label": CRITERIA.get(c["key"], c["key"]),
            "value": c["value"],
            "threshold": c["threshold"],
            "result": result(c["result"]),
            "source": SOURCES.get(c["source"], c["source"]),
            "confirmed": c["confirmed"],
        }
        for c in (outcome or {}).get("criteria", [])
    ]


def rules_title(code: str | None) -> str:
    return {
        "4800": _("Quyết định 4800/QĐ-BYT (12/10/2021)"),
        "218": _("Quyết định 218/QĐ-BYT (27/01/2022)"),
    }.get(code or "", "")

"""The AEFI list in the national layout (the reporting unit's heading, the national motto,
the title and the period, one row per report, the signatures), for the district and the
province to file upward.

The columns follow the case report of a serious AEFI of Thông tư 34/2018/TT-BYT (the
vaccinee, their address down to the commune and district, the vaccination, the event, its
course and the investigation) laid out one report a row, as the periodic lists of that
circular are; docs/vaccination.md ("AEFI") says which version was followed and what is not
sure. A read of personal data: the view audits every person in it."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.geo.models import AdminUnit

from .models import Aefi


@dataclass(frozen=True)
class Period:
    since: date | None = None
    until: date | None = None

    def words(self) -> str:
        if self.since and self.until:
            return _("Từ ngày %(since)s đến ngày %(until)s") % {
                "since": f"{self.since:%d/%m/%Y}",
                "until": f"{self.until:%d/%m/%Y}",
            }
        if self.since:
            return _("Từ ngày %(since)s") % {"since": f"{self.since:%d/%m/%Y}"}
        if self.until:
            return _("Đến ngày %(until)s") % {"until": f"{self.until:%d/%m/%Y}"}
        return _("Mọi báo cáo đến nay")


def within(queryset, period: Period):
    """Reports received in the period (the day the unit received the report, local time)."""
    if period.since:
        queryset = queryset.filter(created_at__date__gte=period.since)
    if period.until:
        queryset = queryset.filter(created_at__date__lte=period.until)
    return queryset


def header() -> list[str]:
    return [
        _("STT"),
        _("Mã số trường hợp"),
        _("Họ và tên"),
        _("Ngày sinh (năm sinh)"),
        _("Tuổi"),
        _("Giới"),
        _("Địa chỉ"),
        _("Xã/phường"),
        _("Quận/huyện"),
        _("Điện thoại"),
        _("Cơ sở tiêm chủng"),
        _("Tên vắc xin"),
        _("Số lô"),
        _("Liều thứ"),
        _("Ngày tiêm"),
        _("Ngày giờ xuất hiện phản ứng"),
        _("Triệu chứng, diễn biến"),
        _("Xử trí, điều trị"),
        _("Phân loại"),
        _("Lý do tai biến nặng"),
        _("Tình trạng hiện tại"),
        _("Tình trạng điều tra"),
        _("Phân loại nguyên nhân"),
        _("Kết luận điều tra"),
        _("Người báo cáo"),
        _("Đơn vị báo cáo"),
        _("Ngày báo cáo"),
    ]


WIDTHS = [5, 9, 24, 12, 6, 6, 26, 20, 20, 12, 20, 16, 10, 7, 11, 16, 36, 24, 14, 28, 16, 14,
          24, 30, 24, 22, 11]  # fmt: skip


def _age(item: Aefi) -> int | str:
    """Age in whole years at the onset (the birth year alone when no date of birth)."""
    person, day = item.person, timezone.localtime(item.onset_at).date()
    if person.birth_date:
        born = person.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return day.year - person.birth_year if person.birth_year else ""


def _serious_why(item: Aefi) -> str:
    reasons = [
        label
        for flag, label in (
            (item.died, _("tử vong")),
            (item.life_threatening, _("đe dọa tính mạng")),
            (item.hospitalised, _("phải nhập viện hoặc kéo dài nằm viện")),
            (item.disability, _("tàn tật hoặc di chứng kéo dài")),
        )
        if flag
    ]
    return "; ".join(reasons)


def row(number: int, item: Aefi) -> list:
    person, dose = item.person, item.dose
    born = f"{person.birth_date:%d/%m/%Y}" if person.birth_date else (person.birth_year or "")
    district = item.district.name if item.district_id else ""
    site = ""
    if dose:
        site = dose.site_name or dose.get_site_kind_display()
    return [
        number,
        item.pk,
        person.full_name,
        born,
        _age(item),
        person.get_sex_display() if person.sex else "",
        person.address,
        item.commune.name,
        district,
        person.phone,
        site,
        dose.product.name if dose else "",
        dose.lot if dose else "",
        dose.dose_number if dose else "",
        f"{dose.given_on:%d/%m/%Y}" if dose else "",
        f"{timezone.localtime(item.onset_at):%H:%M %d/%m/%Y}",
        item.description,
        item.treatment,
        _("Tai biến nặng") if item.serious else _("Phản ứng thông thường"),
        _serious_why(item),
        item.get_outcome_display(),
        item.get_status_display(),
        item.get_causality_display() if item.causality else "",
        item.conclusion,
        f"{item.reporter_name} ({item.get_reporter_kind_display()})",
        _("Trạm y tế %(commune)s") % {"commune": item.commune.name},
        f"{timezone.localtime(item.created_at):%d/%m/%Y}",
    ]


def unit_heading(unit: AdminUnit | None) -> tuple[str, str]:
    """The reporting unit's two heading lines: the body above it and the unit itself."""
    if unit is None:
        return "", ""
    if unit.kind == AdminUnit.Kind.PROVINCE:
        return _("UBND %(name)s") % {"name": unit.name.upper()}, _("SỞ Y TẾ")
    if unit.kind == AdminUnit.Kind.DISTRICT:
        return _("SỞ Y TẾ %(name)s") % {
            "name": unit.parent.name.upper() if unit.parent_id else ""
        }, _("TRUNG TÂM Y TẾ %(name)s") % {"name": unit.name.upper()}
    return unit.parent.name.upper() if unit.parent_id else "", _("TRẠM Y TẾ %(name)s") % {
        "name": unit.name.upper()
    }


def preamble(unit: AdminUnit | None, period: Period, items: list[Aefi], day: date) -> list:
    above, own = unit_heading(unit)
    blank = [""] * 8
    serious = sum(1 for i in items if i.serious)
    place = unit.label() if unit is not None else ""
    return [
        [above, *blank, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
        [own, *blank, _("Độc lập - Tự do - Hạnh phúc")],
        [],
        [_("BÁO CÁO CÁC TRƯỜNG HỢP PHẢN ỨNG SAU TIÊM CHỦNG VẮC XIN PHÒNG COVID-19")],
        [_("Kỳ báo cáo: %(period)s") % {"period": period.words()}],
        [_("%(place)s, ngày %(day)s") % {"place": place, "day": f"{day:%d/%m/%Y}"}],
        [
            _("Tổng số trường hợp: %(total)s, trong đó tai biến nặng: %(serious)s")
            % {"total": len(items), "serious": serious}
        ],
    ]


def footer() -> list[list[str]]:
    blank = [""] * 7
    return [
        ["", _("Người lập báo cáo"), *blank, _("Thủ trưởng đơn vị")],
        ["", _("(Ký, ghi rõ họ tên)"), *blank, _("(Ký, ghi rõ họ tên, đóng dấu)")],
    ]

"""Words for statuses, reasons and flags, shared by the pages."""

from django.utils.translation import gettext_lazy as _

from . import rules

STATUS = {
    rules.NOT_VACCINATED: _("Chưa tiêm"),
    rules.PARTLY: _("Chưa đủ liều cơ bản"),
    rules.FULLY: _("Đã tiêm đủ liều cơ bản"),
    rules.BOOSTED: _("Đã tiêm nhắc lại"),
}
FLAGS = {
    rules.INTERVAL_SHORT: _("Tiêm sớm hơn khoảng cách tối thiểu"),
    rules.SAME_DOSE_TWICE: _("Trùng số mũi đã ghi"),
    rules.AGE_NOT_ELIGIBLE: _("Tuổi chưa được tiêm loại liều này vào ngày đó"),
    rules.MIX_NOT_LISTED: _("Phối hợp vắc xin không có trong bảng quy định"),
    rules.PREVIOUS_MISSING: _("Chưa có mũi trước"),
}
NO_DOSE = {
    rules.NONE_PRIMARY_NOT_OPEN: _("Chưa đến độ tuổi được tiêm theo quy định hiện hành."),
    rules.NONE_NO_FURTHER: _("Quy định hiện hành chưa có mũi tiếp theo cho nhóm tuổi này."),
    rules.NONE_COMPLETE: _("Đã tiêm đủ các mũi theo quy định."),
}


def flag_words(codes) -> list[str]:
    return [str(FLAGS.get(code, code)) for code in codes]

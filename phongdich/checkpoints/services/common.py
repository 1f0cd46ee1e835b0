"""What every checkpoint write shares: the citizen's audit label, short codes, symptom and
exposure labels, the served province."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _lazy

from phongdich.geo.models import AdminUnit

log = logging.getLogger(__name__)

# How a citizen's own action is named in the audit trail: one word for citizens throughout.
CITIZEN = "người dân"
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud over traffic noise.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
CODE_RECENT_DAYS = 30
LINK_VALID = timedelta(days=30)
QR_SALT = "checkpoints.declaration.qr"
# Lazy: these labels are read at import by the forms' choices, before any request's language.
SYMPTOMS = {
    "fever": _lazy("Sốt"),
    "cough": _lazy("Ho"),
    "breathless": _lazy("Khó thở"),
    "pneumonia": _lazy("Viêm phổi"),
    "sore_throat": _lazy("Đau họng"),
    "fatigue": _lazy("Mệt mỏi"),
}
EXPOSURES = {
    "sick_person": _lazy("Tiếp xúc người bệnh hoặc nghi mắc COVID-19"),
    "from_area": _lazy("Tiếp xúc người từ nơi có dịch"),
    "symptomatic": _lazy("Tiếp xúc người có triệu chứng"),
}


def home_province() -> AdminUnit | None:
    """The province this deployment serves (CHECKPOINTS_PROVINCE_CODE, else HOME_PROVINCE_CODE)."""
    code = getattr(settings, "CHECKPOINTS_PROVINCE_CODE", settings.HOME_PROVINCE_CODE)
    return AdminUnit.objects.filter(code=code, kind=AdminUnit.Kind.PROVINCE).first()

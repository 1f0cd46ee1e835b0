"""Stored case texts in the reader's language.

A case keeps its home-care reasons as Vietnamese sentences (`rules.home_care_eligibility`),
the language of the record. Each follows one of the rules' templates, so it is read back into
its values and rendered again from the same template as a msgid; symptom codes inside a
reason ("chest_pain") are shown by their names ("Đau tức ngực" / "Chest pain").
"""

import re

from django.utils.translation import gettext, gettext_noop

from . import rules

for _template in (
    rules.REASON_UNCONFIRMED,
    rules.REASON_OTHER_SYMPTOMS,
    rules.REASON_RESPIRATORY_RATE,
    rules.REASON_SPO2,
    rules.REASON_COMORBIDITY,
    rules.REASON_NO_CARER,
    rules.RELEASE_NEGATIVE_RAT,
    rules.RELEASE_VACCINATED,
    rules.RELEASE_NOT_VACCINATED,
):
    gettext_noop(_template)

_SYMPTOMS = re.compile(r"^Có triệu chứng ngoài nhóm nhẹ: (.+)$")
_RATE = re.compile(r"^Nhịp thở (\S+)/phút \(cần < (\S+)\)$")
_SPO2 = re.compile(r"^SpO2 (\S+)% \(cần > (\S+)%\)$")


def symptom_label(code: str) -> str:
    from .forms import REGISTRATION_SYMPTOMS, SYMPTOM_LABELS

    label = SYMPTOM_LABELS.get(code) or dict(REGISTRATION_SYMPTOMS).get(code)
    return str(label) if label is not None else code


def home_care_reason_label(reason: str) -> str:
    text = str(reason)
    if match := _SYMPTOMS.match(text):
        names = ", ".join(symptom_label(code.strip()) for code in match[1].split(","))
        return gettext(rules.REASON_OTHER_SYMPTOMS) % {"symptoms": names}
    if match := _RATE.match(text):
        return gettext(rules.REASON_RESPIRATORY_RATE) % {"rate": match[1], "limit": match[2]}
    if match := _SPO2.match(text):
        return gettext(rules.REASON_SPO2) % {"spo2": match[1], "limit": match[2]}
    return gettext(text)


_RELEASE = {
    rules.RELEASE_NEGATIVE_RAT: re.compile(r"^Ngày thứ (\d+) trở đi, test nhanh âm tính"),
    rules.RELEASE_VACCINATED: re.compile(r"^Đủ (\d+) ngày, đã tiêm đủ liều"),
    rules.RELEASE_NOT_VACCINATED: re.compile(r"^Đủ (\d+) ngày, chưa tiêm đủ liều"),
}


def release_basis_label(basis: str) -> str:
    for template, pattern in _RELEASE.items():
        if match := pattern.match(str(basis)):
            return gettext(template) % {"days": int(match[1])}
    return gettext(str(basis))

"""Stored ticket texts in the reader's language.

A ticket keeps its priority reasons as Vietnamese sentences (`rules.triage`), the language of
the record. Each reason follows one of the rules' templates, so it is read back into its
values and rendered again from the same template as a msgid: an English reader sees English,
and a reason stored before the phrases had their diacritics ("tho gap") reads "thở gấp".
"""

import re

from django.utils.translation import gettext, gettext_noop

from . import rules

# The rules' templates are msgids; marked here so they sit in the catalog.
gettext_noop(rules.REASON_PHRASE)
gettext_noop(rules.REASON_DANGER_ALERTS)
gettext_noop(rules.REASON_ELDERLY)
gettext_noop(rules.REASON_INFANT)
gettext_noop(rules.REASON_PREGNANT)

_PHRASE = re.compile(r"^(P\d): “(.+)”$")
_DANGER = re.compile(r"^P1: F0 có (\d+) cảnh báo nguy hiểm chưa xử lý$")
_ELDERLY = re.compile(r"^P2: (\d+) tuổi \(≥ (\d+)\)$")
_INFANT = re.compile(r"^P2: trẻ dưới (\d+) tuổi$")


def priority_reason_label(reason: str) -> str:
    text = str(reason)
    if match := _PHRASE.match(text):
        phrase = rules.PHRASE_LABELS.get(match[2], match[2])
        return gettext(rules.REASON_PHRASE) % {"priority": match[1], "phrase": gettext(phrase)}
    if match := _DANGER.match(text):
        return gettext(rules.REASON_DANGER_ALERTS) % {"n": int(match[1])}
    if match := _ELDERLY.match(text):
        return gettext(rules.REASON_ELDERLY) % {"age": int(match[1]), "limit": int(match[2])}
    if match := _INFANT.match(text):
        return gettext(rules.REASON_INFANT) % {"limit": int(match[1])}
    return gettext(text)  # REASON_PREGNANT, or a reason written by hand

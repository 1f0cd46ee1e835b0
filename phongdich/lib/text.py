"""Vietnamese text helpers: NFC normalisation and diacritic folding for search keys."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ is a separate letter, not d + combining mark, so NFD does not strip it.
_LETTER_D = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str) -> str:
    """Normalise to NFC and collapse runs of white space (input arrives in NFD from some phones)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value or "")).strip()


def fold(value: str) -> str:
    """Lower case, without diacritics, đ→d: 'Nguyễn Văn Đức' → 'nguyen van duc'."""
    decomposed = unicodedata.normalize("NFD", nfc(value).translate(_LETTER_D))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.lower()


def name_key(value: str) -> str:
    """Search key for a person's name: folded, letters and single spaces only."""
    return _SPACES.sub(" ", re.sub(r"[^a-z0-9 ]", " ", fold(value))).strip()


def vietnamese_sort_key(value: str) -> tuple:
    """Sort key following the Vietnamese alphabet (a ă â b c d đ e ê ... ), tone marks last.

    Sorting by the folded string alone would interleave 'Đ' with 'D'; Vietnamese dictionaries
    place đ after d, ă/â after a, and so on, and order tones after the base letter.
    """
    base_order = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    tone_marks = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
    letters = []
    tones = []
    for ch in unicodedata.normalize("NFD", nfc(value).lower()):
        if ch in tone_marks:
            tones.append(tone_marks[ch])
            continue
        if ch == "\u0306" and letters and letters[-1] == "a":  # breve: a → ă
            letters[-1] = "ă"
        elif ch == "\u0302" and letters and letters[-1] in "aeo":  # circumflex
            letters[-1] = {"a": "â", "e": "ê", "o": "ô"}[letters[-1]]
        elif ch == "\u031b" and letters and letters[-1] in "ou":  # horn
            letters[-1] = {"o": "ơ", "u": "ư"}[letters[-1]]
        elif unicodedata.category(ch) == "Mn":
            continue
        else:
            letters.append(ch)
    ranks = tuple(base_order.index(c) if c in base_order else 100 + ord(c) for c in letters)
    return ranks, tuple(tones)


def person_sort_key(full_name: str) -> tuple:
    """Vietnamese people are sorted by given name (the last word), then the whole name."""
    words = nfc(full_name).split(" ")
    return vietnamese_sort_key(words[-1] if words else ""), vietnamese_sort_key(full_name)

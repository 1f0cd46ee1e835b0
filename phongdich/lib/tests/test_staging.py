"""lib.staging's SQL gives the Python functions' values on every text it accepts, and
NULL (the line goes to the Python checks) on the others. PostgreSQL only: on SQLite the
imports never take the COPY path."""

from datetime import date

import pytest
from django.db import connection

from phongdich.lib import imports, staging
from phongdich.lib.text import fold, name_key

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"
)


def _one(template, value: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + template("v.x") + " FROM (SELECT %s::text AS x) v", [value])
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ["1/1/2021", "01/01/2021", "29/02/2020", "29/02/2021", "31/04/2021", "30/04/2021",
     "29/02/1900", "29/02/2000", "31/12/1899", "00/01/2021", "01/00/2021", "01/13/2021",
     "32/01/2021", "2021-01-01", "1/1/21", "", "ab/cd/efgh", "001/01/2021"],
)  # fmt: skip
def test_dates_are_parse_dates_or_left_to_python(text):
    found = _one(staging.date_sql, text)
    try:
        expected = imports.parse_date(text)
    except ValueError:
        expected = None
    if found is None:
        # Left to Python: only forms SQL does not read, never a d/m/yyyy day Python takes.
        assert expected is None or "/" not in text
    else:
        assert found == expected and isinstance(found, date)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ["Nguyễn Văn Đức", "ĐẶNG THỊ Ỷ", "Lê  Văn\u00a0Tiêm ", "Phạm Văn-Xa", "O'Brien Ư Ơ Ă Â Ê Ô",
     "Hồ Văn Mới 12", "Pfizer-BioNTech (Comirnaty)"],
)  # fmt: skip
def test_cleaning_and_folding_match_the_python_functions(text):
    clean = _one(staging.clean_sql, text)
    assert clean == imports.cell_text(text)
    assert _one(lambda x: f"{x} ~ '{staging.SAFE_TEXT}'", clean)
    assert _one(staging.fold_sql, clean) == fold(clean)
    assert _one(staging.name_key_sql, clean) == name_key(clean)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Lê Văn Tiêm Ñ", "Ærø", "名前"])
def test_letters_fold_sql_does_not_know_are_left_to_python(text):
    assert not _one(lambda x: f"{x} ~ '{staging.SAFE_TEXT}'", text)


@pytest.mark.django_db
def test_every_letter_folds_as_python_does():
    # fold_sql deletes the marks NFD gives the Vietnamese letters with translate(): every
    # letter, both cases, and printable ASCII fold and key exactly as the Python functions.
    letters = "".join(sorted(imports.VIETNAMESE_LETTERS))
    ascii_ = "".join(chr(c) for c in range(0x21, 0x7F))
    for text in (letters, ascii_, f"{letters} {ascii_}", "Đ-đ x..y' z"):
        assert _one(staging.fold_sql, text) == fold(text)
        assert _one(staging.name_key_sql, text) == name_key(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cells",
    [["Nguyễn Văn Đức", "", "12/3/2021"], ["a", "b c"], ["", ""], ["Lê  Văn"], [" Lê"], ["Lê "],
     ["Le\u0301"], ["Lê\u00a0Văn"], ["Lê\tVăn"], ["名前 x"], ["Ñ"], ["x\u0301"], ["Ae\u0308"],
     ["ĐẶNG THỊ Ỷ", "O'Brien"], ["a\u001fb"]],
)  # fmt: skip
def test_clean_row_is_true_only_when_every_cell_is_clean(cells):
    # SAFE_ROW's shortcut (no NFC test for ASCII and Vietnamese letters) never calls a cell
    # clean that cell_text would change, and the general test still takes other letters.
    staged = staging.Staged(
        table="t",
        columns=[],
        width=len(cells),
        mapping={i: imports.Column(f"k{i}", f"c{i}") for i in range(len(cells))},
    )
    names = ", ".join(f"%s::text AS c{i}" for i in range(len(cells)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {staged.clean_row_sql()} FROM (SELECT {names}) r", cells)
        found = cursor.fetchone()[0]
    assert found == all(imports.cell_text(c) == c for c in cells)
    for cell in cells:
        assert _one(staging.clean_sql, cell) == imports.cell_text(cell)

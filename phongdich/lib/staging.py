"""Bulk imports at the database's own speed: a CSV's bytes go into a temporary staging table
with COPY, and the cells are checked in SQL, with the same line-numbered faults as
`imports.TableStream`.

Reading and checking a row in Python (`TableStream`: decode, NFC, one parser per cell)
costs about 100 µs; a province file of millions of rows spends minutes there. Here:

1. `copy_csv` maps the header once with the import's `Column` words (`imports._header_map`,
   diacritics-insensitive), creates a temporary table with one text column per header cell
   and a line number, and streams the file's bytes into it with
   COPY … FROM STDIN (FORMAT csv, HEADER). Nothing is parsed in Python.
2. The import states in SQL, per column, when a cell is certainly good and what it parses
   to (`Staged.cell` is the cell as `imports.cell_text` gives it; `fold_sql`, `date_sql`
   help). A line SQL accepts is moved on set-based. Every other non-empty line (a fault,
   or a form SQL does not decide, such as "Mũi 2" or an unusual letter in a name) is read
   back and run through the Python checks (`Staged.rows`), which produce its messages, or
   a good row, exactly as `TableStream` would: SQL only ever fast-tracks lines the Python
   rules accept with the same values.

`copy_csv` returns None when the file is not one this path reads the same as the Python
one (not UTF-8, a header over several lines, ragged rows, blank lines, more columns than
`imports.MAX_COLUMNS`, a missing required column): the caller then runs `TableStream`,
which reads it, or refuses it, with its usual messages. PostgreSQL only.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import psycopg
from django.db import DatabaseError, connection, transaction

from . import imports
from .text import fold

# Python's str.isspace() characters: nfc() collapses every run of them into one space.
_SPACE_CLASS = (
    "[\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
    "\\u202f\\u205f\\u3000]"
)
# Letters fold() turns into one ASCII letter: every Vietnamese letter, both cases.
_FOLD_FROM = "".join(sorted(imports.VIETNAMESE_LETTERS))
_FOLD_TO = "".join(fold(ch) for ch in _FOLD_FROM)
assert len(_FOLD_TO) == len(_FOLD_FROM)
# A text fold_sql folds exactly as fold(): printable ASCII and Vietnamese letters.
SAFE_TEXT = f"^[ -~{_FOLD_FROM}]*$"
READ_CHUNK = 1 << 20
# A row whose used cells are each already as `imports.cell_text` leaves them (NFC, no space
# but single inner ones), joined by U+001F (a space to isspace(), so never inside a clean
# cell: `row_regexp`): one regexp and one NFC test per row instead of two per cell. U+001F
# is a starter that composes with nothing, so the joined text is NFC exactly when every
# cell is.
_WORD = f"[^{_SPACE_CLASS[1:-1]}]+"
# The same shape over words of printable ASCII and Vietnamese letters only: a text of such
# characters is NFC already (each is its own NFC form and none composes with the next, as
# no combining mark is among them), so a match needs no `IS NFC NORMALIZED`, which cost
# 0.43 CPU-s of 200,000 rows against 0.30 for this whole test (the general regexp and the
# NFC test: 0.70). A text it refuses (another letter, a combining mark) gets those two.
_SAFE_WORD = f"[!-~{_FOLD_FROM}]+"
SAFE_CELL = f"^{_SAFE_WORD}( {_SAFE_WORD})*$"
# The marks NFD gives the Vietnamese letters (U+0300–U+0303, U+0306, U+0309, U+031B,
# U+0323): fold_sql deletes them with translate(), which the letters' text holds no other of.
_MARKS = "".join(sorted({m for ch in _FOLD_FROM for m in unicodedata.normalize("NFD", ch)[1:]}))


def row_regexp(word: str) -> str:
    """Cells of `word`s (each empty, or words joined by single spaces) joined by U+001F. A
    cell holding a U+001F itself would pass for two: clean_row_sql rules those out first."""
    cell = f"({word}( {word})*)?"
    return f"^{cell}(\\u001f{cell})*$"


# In CSV from STDIN, PostgreSQL takes a line holding only "\." as the end of the data and
# drops every line after it without an error: such a file goes to the Python reader, which
# reads it as an ordinary (bad) line, so no row is lost.
END_MARKER = re.compile(rb"(?:^|\n)\\\.(?:\r?\n|\r?$)")


class _EndMarker(Exception):
    """The file holds PostgreSQL's end-of-data line."""


def clean_sql(expr: str) -> str:
    """imports.cell_text of a text cell, in SQL: NFC, white space collapsed and trimmed. A
    cell already so (most are) is tested, not rewritten: 2.4 times faster."""
    word = f"[^{_SPACE_CLASS[1:-1]}]+"
    full = (
        f"btrim(regexp_replace(normalize(COALESCE({expr}, ''), NFC), '{_SPACE_CLASS}+', ' ', "
        "'g'), ' ')"
    )
    return (
        f"(CASE WHEN {expr} ~ '{SAFE_CELL}' THEN {expr} "
        f"WHEN {expr} ~ '^{word}( {word})*$' AND {expr} IS NFC NORMALIZED THEN {expr} "
        f"ELSE {full} END)"
    )


def fold_sql(expr: str) -> str:
    """text.fold() of an NFC cell matching SAFE_TEXT: lower case, no diacritics, đ→d (the
    letters decompose into a base letter and the eight `_MARKS`, which one translate()
    deletes while it maps đ and Đ: 0.43 CPU-s for 200,000 names against 0.57 with a
    regexp_replace of U+0300–U+036F; a translate() over the 146 letters measured three
    times slower)."""
    return f"lower(translate(normalize({expr}, NFD), 'đĐ{_MARKS}', 'dd') COLLATE \"C\")"


def name_key_sql(expr: str) -> str:
    """text.name_key() of an NFC cell matching SAFE_TEXT: every run of characters other than
    a-z and 0-9 (spaces included) becomes one space, as name_key's replace-then-collapse
    gives; one regexp_replace instead of two."""
    return f"btrim(regexp_replace({fold_sql(expr)}, '[^a-z0-9]+', ' ', 'g'), ' ')"


def date_sql(expr: str) -> str:
    """imports.parse_date of a d/m/yyyy cell, or NULL when the cell is not one (another
    form, or no such day): the Python parser then decides the line. No regexp_match or
    subquery: per row they cost 40–400 µs; split_part and arithmetic a few."""
    day, month, year = (f"split_part({expr}, '/', {i})::int" for i in (1, 2, 3))
    leap = f"((mod({year}, 4) = 0 AND mod({year}, 100) <> 0) OR mod({year}, 400) = 0)"
    days = (
        f"CASE WHEN {month} IN (1, 3, 5, 7, 8, 10, 12) THEN 31 WHEN {month} IN (4, 6, 9, 11) "
        f"THEN 30 WHEN {leap} THEN 29 ELSE 28 END"
    )
    # Nested CASEs: SQL does not promise to evaluate an AND left to right, and the casts
    # and make_date raise on what the outer test rules out.
    return f"""(CASE WHEN {expr} ~ '^[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}$' THEN
        CASE WHEN {month} BETWEEN 1 AND 12 AND {year} >= 1 AND {day} BETWEEN 1 AND {days}
             THEN make_date({year}, {month}, {day}) END END)"""


@dataclass
class Staged:
    """A CSV copied into `table`: columns c0… as the header has them, `n` the record's
    number (line n + 1 of the file, the header being line 1)."""

    table: str
    columns: list[imports.Column]
    width: int
    mapping: dict[int, imports.Column]
    report: imports.ErrorReport = field(default_factory=imports.ErrorReport)
    total: int = 0  # non-empty data lines

    def cell(self, key: str) -> str:
        """The SQL of the cleaned cell of column `key` ('' when the file has no such
        column); the last of two columns with the same words wins, as in TableStream."""
        found = [i for i, c in self.mapping.items() if c.key == key]
        return clean_sql(f"r.c{found[-1]}") if found else "''"

    def raw(self, key: str) -> str:
        """The SQL of the uncleaned cell of column `key`, '' for an empty or absent one."""
        found = [i for i, c in self.mapping.items() if c.key == key]
        return f"COALESCE(r.c{found[-1]}, '')" if found else "''"

    def clean_row_sql(self) -> str:
        """True when every cell the columns use is already clean: the row's text matches
        `row_regexp` of `_SAFE_WORD`, else of `_WORD` and is NFC. The caller computes it
        once a row (its own level)."""
        used = sorted(self.mapping)
        if not used:
            return "true"
        joined = "concat_ws(chr(31), " + ", ".join(f"COALESCE(r.c{i}, '')" for i in used) + ")"
        safe, general = (row_regexp(word) for word in (_SAFE_WORD, _WORD))
        # A U+001F inside a cell: not clean (cell_text makes it a space), and the regexps
        # would take it for the separator (a count-anchored regexp cost 2.4 times as much).
        cells = "concat(" + ", ".join(f"r.c{i}" for i in used) + ")"
        # Nearly every row takes the SAFE branch: the row's text is made once there.
        return (
            f"(CASE WHEN strpos({cells}, chr(31)) > 0 THEN false WHEN {joined} ~ '{safe}' "
            f"THEN true ELSE {joined} ~ '{general}' AND {joined} IS NFC NORMALIZED END)"
        )

    def fast_cell(self, key: str, clean: str) -> str:
        """`cell(key)`, with the cleaning skipped when the SQL `clean` (the row's
        clean_row_sql, computed once) is true."""
        found = [i for i, c in self.mapping.items() if c.key == key]
        if not found:
            return "''"
        return f"(CASE WHEN {clean} THEN COALESCE(r.c{found[-1]}, '') ELSE {self.cell(key)} END)"

    def line_sql(self) -> str:
        return "r.n + 1"

    def nonempty_sql(self) -> str:
        """A line with any cell that is not blank (TableStream skips the others)."""
        cells = " || ".join(f"COALESCE(r.c{i}, '')" for i in range(self.width))
        return f"({cells}) ~ '[^{_SPACE_CLASS[1:-1]}]'"

    def rows(self, lines_sql: str, check: Callable[[imports.Row], None] | None) -> Iterator:
        """The lines `lines_sql` selects (a query of r.n + 1 values), in file order, run
        through TableStream's Python checks: faults go to the report, good rows come out."""
        names = ", ".join(f"r.c{i}" for i in range(self.width))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.n + 1, {names} FROM {self.table} r "
                f"WHERE r.n + 1 IN ({lines_sql}) ORDER BY r.n"
            )
            fetched = cursor.fetchall()
        for line, *cells in fetched:
            row = imports.check_cells(
                line, [imports.cell_text(c) for c in cells], self.mapping, self.columns, check
            )
            if row.errors:
                self.report.add(line, row.errors)
            else:
                yield row


def _head(upload) -> tuple[str, bytes] | None:
    """The file's encoding (UTF-8 only) and its first line, as bytes; None otherwise."""
    upload.seek(0)
    sample = upload.read(imports.SNIFF_BYTES)
    try:
        encoding = imports.detect_encoding(sample, complete=len(sample) < imports.SNIFF_BYTES)
    except imports.FileRefused:
        return None
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    end = sample.find(b"\n")
    if end < 0:
        return None
    return encoding, sample[:end]


def copy_csv(upload, columns: list[imports.Column], *, table: str, max_rows: int):
    """Copy a UTF-8 CSV into the temporary table `table`; return Staged, or None when the
    Python reader must take the file (module docstring). FileRefused past `max_rows`."""
    if connection.vendor != "postgresql":
        return None
    head = _head(upload)
    if head is None:
        return None
    encoding, first = head
    text = first.decode(encoding).rstrip("\r")
    if '"' in text:
        return None  # a quoted header may span lines; the Python reader takes it
    delimiter = imports._delimiter(text)
    cells = [imports.cell_text(c) for c in next(csv.reader(io.StringIO(text), delimiter=delimiter))]
    if len(cells) > imports.MAX_COLUMNS:
        return None
    mapping = imports._header_map(cells, columns) or {}
    present = set(mapping.values())
    if any(c.required and c not in present for c in columns):
        return None
    staged = Staged(table=table, columns=columns, width=len(cells), mapping=mapping)
    names = ", ".join(f"c{i}" for i in range(len(cells)))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} (n bigint GENERATED ALWAYS AS IDENTITY, "
                + ", ".join(f"c{i} text" for i in range(len(cells)))
                + ")"
            )
            sql = (
                f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true, "
                f"DELIMITER '{delimiter}')"
            )
            upload.seek(0)
            with cursor.cursor.copy(sql) as copy:
                chunk = upload.read(READ_CHUNK)
                if chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8) :]
                tail = b""  # the end of the previous chunk: a marker may straddle two
                while chunk:
                    if END_MARKER.search(tail + chunk):
                        raise _EndMarker
                    copy.write(chunk)
                    tail = chunk[-4:]
                    chunk = upload.read(READ_CHUNK)
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            records = cursor.fetchone()[0]
    except _EndMarker:
        return None
    except (DatabaseError, psycopg.Error):  # COPY's own errors come from psycopg unwrapped
        return None  # ragged or blank lines, bytes that are not UTF-8: the Python reader
    finally:
        upload.seek(0)
    if records > max_rows:
        raise imports.FileRefused(imports.too_many_rows(max_rows), staged.report)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} r WHERE {staged.nonempty_sql()}")
        staged.total = cursor.fetchone()[0]
    return staged

"""Large XLSX exports, built by the worker instead of inside the request.

An export of 50,000 audit events took 19 s and 159 MB inside a web worker (whose timeout is
60 s), and two at once could take the machine's memory. An app registers each large export
once (`register(ExportKind(...))`); a page asks for one with `audit.services.export_request`
and redirects to its progress page; the worker writes the file row by row
(`lib.xlsx.write_sheets`, write-only, fed by a streamed query), reports how far it got, and
the owner downloads it until it expires. The stored file and its download live in the
audit app (`audit.Export`), since every download is an audited read.

A kind's `sheets(user, params)` must scope its rows to `user` exactly as the page does: the
worker runs it with the requesting user, so what a file holds is what its owner may see.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Excel's last row is 1,048,576; one is the header.
EXCEL_MAX_ROWS = 1_048_575

Sheet = tuple[str, list[str], Iterable[Iterable]]


@dataclass(frozen=True)
class ExportKind:
    name: str  # "audit.events": stored on each export, so never rename one
    title: str  # what the progress page and the file list call it (a lazy translation)
    roles: tuple[str, ...]  # who may ask for it: the roles of the page it comes from
    sheets: Callable[[object, dict], list[Sheet]]  # (user, params) → sheets, rows streamed
    estimate: Callable[[object, dict], int]  # (user, params) → rows expected, for progress
    filename: Callable[[dict], str]  # params → the downloaded file's name
    max_rows: int = EXCEL_MAX_ROWS


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ExportKind | None:
    return _KINDS.get(name)


def kinds() -> dict[str, ExportKind]:
    return dict(_KINDS)


def capped(rows: Iterable, limit: int) -> Iterable:
    """At most `limit` rows of a streamed iterable."""
    for number, row in enumerate(rows):
        if number >= limit:
            return
        yield row

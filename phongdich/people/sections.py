"""Sections other apps add to the person page (a vaccination record, say).

Each app registers a callable in its `ready()`; it gets (request, person) and returns a
context dict for its template, or None when the section does not apply (the user's role,
nothing recorded). The callable reads inside the user's jurisdiction: the person page has
already checked the person is inside it.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    build: Callable
    order: int = 100


_SECTIONS: list[Section] = []


def register(section: Section) -> None:
    if section not in _SECTIONS:
        _SECTIONS.append(section)


def sections_for(request, person) -> list[dict]:
    out = []
    for section in sorted(_SECTIONS, key=lambda s: s.order):
        context = section.build(request, person)
        if context is not None:
            out.append({"template": section.template, "context": context})
    return out

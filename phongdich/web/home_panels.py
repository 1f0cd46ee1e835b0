"""Home page panels. Apps register a callable per panel; it returns a context dict for its
template, or None when the panel does not apply to the user."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    roles: tuple[str, ...]
    build: Callable
    order: int = 100


_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def panels_for(request) -> list[dict]:
    out = []
    for panel in sorted(_PANELS, key=lambda p: p.order):
        if request.user.role in panel.roles:
            context = panel.build(request)
            if context is not None:
                out.append({"template": panel.template, "context": context})
    return out

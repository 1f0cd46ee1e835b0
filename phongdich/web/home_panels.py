"""Home page panels. Apps register a callable per panel; it returns a context dict for its
template, or None when the panel does not apply to the user."""

from collections.abc import Callable
from dataclasses import dataclass

FIGURES_TEMPLATE = "web/_figures.html"


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


def figure(value: int, label, url: str, *, urgent: bool = False) -> dict:
    """One figure a role acts on today, linking to the list that shows the same count.
    Urgent figures that are not zero come first on a phone (web/app.css)."""
    return {"value": value, "label": label, "url": url, "urgent": urgent}


def figures_panel(title, url: str, figures: list[dict]) -> dict:
    """The context of web/_figures.html; `urgent` puts the whole panel first on a phone."""
    return {
        "title": title,
        "url": url,
        "figures": figures,
        "urgent": any(f["urgent"] and f["value"] for f in figures),
    }

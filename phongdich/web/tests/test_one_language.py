"""One language at a time.

With English chosen, every page a role can open (the pages without arguments, then one
record page of each kind linked from them) is read text node by text node: a node with
Vietnamese letters is a Vietnamese label left untranslated, unless it is data — a name of a
person, a place, an office, a text someone wrote — which is shown as written. Data strings
are gathered from the database's text columns, except the columns that hold labels (rules,
branches, reasons), which must come in both languages.

With Vietnamese chosen, no page shows an English code from data ("asymptomatic") or a
phrase stripped of its diacritics ("tho gap").
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import models
from django.urls import Resolver404, resolve

from phongdich.demo.services import DEMO_USERS, build_demo
from phongdich.web.tests.test_i18n import english_catalog, english_locale_dir  # noqa: F401
from phongdich.web.tests.test_jurisdiction import site_patterns

VIETNAMESE = re.compile(
    r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I
)
# Text columns that hold labels, not content: shown to users, they need both languages.
LABEL_COLUMNS = {
    ("checkpoints", "quarantinepolicyrow"),
    ("checkpoints", "quarantinegrouprow"),
    ("checkpoints", "decisionrulerow"),
    ("hotline", "category"),
    ("hotline", "supportpolicy"),
    ("hotline", "slapolicy"),
    ("cases", "thresholdrow"),
    ("supplies", "item"),
}
# Labels that are meant to stay in their own language: the language switcher names Vietnamese
# in Vietnamese, as every language menu does.
ALLOWED = {"Tiếng Việt"}
SEPARATORS = re.compile(r"\s*(?:[,;:·|/()\[\]–—→«»“”\"]|\s-\s|\n)\s*")
SKIPPED_NAMES = {"logout", "set_language"}


class TextNodes(HTMLParser):
    """Text nodes outside scripts and styles, and outside elements marked as another
    language (`lang="vi"`: the column names an import file must carry are Vietnamese)."""

    SKIP = ("script", "style", "textarea")

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.nodes: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            return
        lang = dict(attrs).get("lang")
        skipping = bool(self.stack and self.stack[-1])
        self.stack.append(skipping or tag in self.SKIP or (lang is not None and lang != "en"))

    def handle_endtag(self, tag):
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and not (self.stack and self.stack[-1]):
            self.nodes.append(" ".join(data.split()))


def text_nodes(html: str) -> list[str]:
    parser = TextNodes()
    parser.feed(html)
    return parser.nodes


def data_strings() -> set[str]:
    """Every text value stored in the database outside the label columns, and its pieces."""
    found: set[str] = set()
    for model in apps.get_models():
        meta = model._meta
        if not meta.app_label.startswith(("people", "geo", "cases", "checkpoints", "hotline")):
            if meta.app_label not in (
                "directives",
                "facilities",
                "accounts",
                "audit",
                "stats",
                "supplies",
                "vaccination",
                "labtests",
                "zones",
                "quarantine",
                "tracing",
                "reports",
            ):
                continue
        if (meta.app_label, meta.model_name) in LABEL_COLUMNS:
            continue
        fields = [
            f.name
            for f in meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields)[:20000]:
            for value in row:
                if value and VIETNAMESE.search(value):
                    value = " ".join(str(value).split())
                    found.add(value)
                    found.update(p for p in SEPARATORS.split(value) if p)
    for user in apps.get_model("accounts", "User").objects.all():
        found.add(user.get_full_name())
    return found


# Not words of a language: amounts in dong ("80,000 đ") and document numbers ("261/QĐ-BYT").
NOT_WORDS = re.compile(r"\d[\d.,]*\s?đ\b|\b\d+(?:/\d{4})?/[A-ZĐ]+(?:-[A-ZĐ]+)*\b")


def _index(data: set[str]) -> dict[str, list[str]]:
    by_first: dict[str, list[str]] = {}
    for value in data:
        by_first.setdefault(value.split(" ", 1)[0], []).append(value)
    for values in by_first.values():
        values.sort(key=len, reverse=True)
    return by_first


def _without_data(text: str, by_first: dict[str, list[str]]) -> str:
    """The text with every data string it contains taken out (longest first at each word)."""
    words = text.split(" ")
    out, i = [], 0
    while i < len(words):
        rest = " ".join(words[i:])
        for candidate in by_first.get(words[i], ()):
            if rest.startswith(candidate):
                i += candidate.count(" ") + 1
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _truncated_data(node: str, by_first: dict[str, list[str]]) -> bool:
    """A text cut short for a list ("Rà soát, lập danh sách…") that begins a data string."""
    start = node[:-1].rstrip()
    return any(c.startswith(start) for c in by_first.get(start.split(" ", 1)[0], ()))


def untranslated(nodes: list[str], data: set[str], by_first=None) -> list[str]:
    by_first = by_first if by_first is not None else _index(data)
    bad = []
    for node in nodes:
        if not VIETNAMESE.search(node) or node in data or node in ALLOWED:
            continue
        if node.endswith("…") and _truncated_data(node, by_first):
            continue
        # A page title is "<data cut short…> · phongdich": the cut piece is data too.
        pieces = SEPARATORS.split(node)
        kept = [p for p in pieces if not (p.endswith("…") and _truncated_data(p, by_first))]
        rest = NOT_WORDS.sub(" ", node if len(kept) == len(pieces) else " | ".join(kept))
        for piece in SEPARATORS.split(rest):
            piece = piece.strip()
            if not piece or not VIETNAMESE.search(piece) or piece in data or piece in ALLOWED:
                continue
            if VIETNAMESE.search(_without_data(piece, by_first)):
                bad.append(node)
                break
    return bad


def test_the_check_flags_a_vietnamese_label_and_passes_names():
    data = {"Nguyễn Văn An", "Phường Hàm Rồng", "Thành phố Thanh Hóa"}
    nodes = [
        "Nguyễn Văn An",
        "Phường Hàm Rồng, Thành phố Thanh Hóa",
        "Health station of Phường Hàm Rồng (tramyte.a) confirmed",
        "Home",
        "Amount: 80,000 đ per Decision 261/QĐ-BYT",
        "Lý do ưu tiên",
        "Health station of Phường Hàm Rồng trả lời",
        "Nguyễn Văn…",
        "Lý do…",
        "Phường Hàm… · phongdich",
        "Lý do… · phongdich",
    ]
    assert untranslated(nodes, data) == [
        "Lý do ưu tiên",
        "Health station of Phường Hàm Rồng trả lời",
        "Lý do…",
        "Lý do… · phongdich",
    ]
    html = "<p>Đã lưu</p><script>var a='Việt';</script><p>Columns: <span lang=vi>họ tên</span></p>"
    assert text_nodes(html) == ["Đã lưu", "Columns:"]


def _pages_without_arguments():
    return [
        (route, name)
        for route, name, _view in site_patterns()
        if "<" not in route and name.split(":")[-1] not in SKIPPED_NAMES
    ]


def _links(html: str) -> list[str]:
    return re.findall(r'href="(/[^"#?]*)"', html)


def walk(client, *, per_name: int = 1, limit: int = 200):
    """(path, html) of each page the logged-in user can open: pages without arguments,
    then one page of each record kind they link to."""
    seen_names: dict[str, int] = {}
    queue = ["/" + route for route, _name in _pages_without_arguments()]
    visited = set()
    while queue and len(visited) < limit:
        path = queue.pop(0)
        if path in visited or path.endswith((".pdf", ".xlsx", ".png", ".csv")):
            continue
        try:
            match = resolve(path)
        except Resolver404:
            continue
        name = match.view_name
        if name.split(":")[-1] in SKIPPED_NAMES or name.startswith("admin:"):
            continue
        if match.kwargs or match.args:
            if seen_names.get(name, 0) >= per_name:
                continue
            seen_names[name] = seen_names.get(name, 0) + 1
        visited.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        # A streamed page (the whole outreach list's print) is read to its end as well.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        html = body.decode()
        yield path, html
        queue.extend(link for link in _links(html) if link not in visited)


# Known gaps, each with its reason: texts still shown in Vietnamese in the English interface.
KNOWN_GAPS = {
    # Alert reasons are stored as Vietnamese sentences when the alert is raised; giving them
    # both languages belongs with the alert rework (danger alerts, transfers).
    "Không gửi phiếu quá 14 giờ": "stored alert reason (demo data)",
}
# Codes and folded phrases that must never reach the Vietnamese interface.
NOT_VIETNAMESE = re.compile(
    r"\b(asymptomatic|mild|moderate|severe|critical|breathlessness|chest_pain|tho gap|"
    r"kho tho|tim tai|let_through|handover|centralised|transit)\b"
)


@pytest.fixture
def demo(db):
    build_demo(seed=1, scale=0.001, log=lambda *a: None)


def test_one_language_at_a_time(client, demo, english_catalog):  # noqa: F811
    """Every role's pages, in English then in Vietnamese (one demo build for both walks)."""
    data = data_strings()
    by_first = _index(data)
    users = apps.get_model("accounts", "User").objects
    english: dict[str, set[str]] = {}
    vietnamese: dict[str, set[str]] = {}
    pages = 0
    for spec in DEMO_USERS:
        client.force_login(users.get(username=spec.username))
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        for path, html in walk(client):
            pages += 1
            assert "<html" not in html or 'lang="en"' in html, path
            for node in untranslated(text_nodes(html), data, by_first):
                if node not in KNOWN_GAPS:
                    english.setdefault(node, set()).add(path)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "vi"
        for path, html in walk(client):
            for node in text_nodes(html):
                if NOT_VIETNAMESE.search(node):
                    vietnamese.setdefault(node, set()).add(path)
        client.logout()
    assert pages > 100  # the walk reached the pages (it can fail)
    report = sorted((node, sorted(paths)[:2]) for node, paths in english.items())
    assert not report, f"{len(report)} Vietnamese texts in the English interface: {report[:40]}"
    report = sorted((node, sorted(paths)[:2]) for node, paths in vietnamese.items())
    assert not report, f"codes or folded phrases in the Vietnamese interface: {report[:40]}"

"""A page's <title> and <head> blocks hold a title and head tags only. Two edits once put a
whole section into them (it showed in the tab's title and inside <head>): check every
template of every app."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"{% block (title|head) %}(.*?){% endblock %}", re.S)
BODY_TAGS = re.compile(r"<(?:h\d|div|table|ul|ol|p|section|form|a)\b")


def misplaced(text: str) -> list[str]:
    return [m[1] for m in BLOCK.finditer(text) if BODY_TAGS.search(m[2])]


def test_the_check_finds_a_section_in_a_title():
    assert misplaced('{% block title %}A<h2>B</h2><ul id="x"></ul>{% endblock %}') == ["title"]
    assert misplaced('{% block head %}<link rel="stylesheet" href="a.css">{% endblock %}') == []


def test_no_template_puts_page_content_in_its_title_or_head():
    found = [
        f"{path.relative_to(ROOT)}: {block}"
        for path in sorted(ROOT.glob("*/templates/**/*.html"))
        for block in misplaced(path.read_text(encoding="utf-8"))
    ]
    assert not found, found

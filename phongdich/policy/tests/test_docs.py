"""The docs promise the policy pages: every page they name exists, and every table the
hotline, checkpoints and cases register is named in its app's doc (not the Django admin)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from phongdich.policy import registry

DOCS = Path(settings.BASE_DIR) / "docs"
PAGE = re.compile(r"/policy/([a-z0-9-]+)/")


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", ["hotline.md", "checkpoints.md", "cases.md", "architecture.md"])
def test_every_policy_page_a_doc_names_exists(doc):
    for slug in PAGE.findall(_doc(doc)):
        assert registry.get(slug) is not None, f"{doc} names /policy/{slug}/"


@pytest.mark.parametrize(
    "app,doc",
    [("hotline", "hotline.md"), ("checkpoints", "checkpoints.md"), ("cases", "cases.md")],
)
def test_every_registered_table_is_in_its_apps_doc(app, doc):
    if not apps.is_installed(f"phongdich.{app}"):
        pytest.skip(f"{app} not installed")
    text = _doc(doc)
    tables = [t for t in registry.tables() if t.model._meta.app_label == app]
    assert tables
    for table in tables:
        assert reverse("policy:list", args=[table.slug]) in text, table.slug
    assert "Django admin →" not in text and "in the admin" not in text


def test_the_django_admin_does_not_edit_policy_tables():
    from django.contrib import admin

    registered = {t.model for t in registry.tables()}
    assert not registered & set(admin.site._registry)

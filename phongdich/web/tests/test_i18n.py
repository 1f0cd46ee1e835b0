"""The English interface: the catalog is complete and the language switch really changes pages.

The pages are rendered against a catalog compiled here from the committed django.po (with
Babel, as `make messages` does), not against whatever django.mo happens to sit in the tree:
a stale or missing .mo must not hide an incomplete .po, nor make these tests pass by luck.
"""

import gettext
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings as django_settings

PO_PATH = (
    Path(django_settings.BASE_DIR) / "phongdich" / "locale" / "en" / "LC_MESSAGES" / "django.po"
)

# %(name)s / %(n)d ..., bare %s / %d, and {name} (str.format) placeholders.
NAMED = re.compile(r"%\(\w+\)[sdif]")
ANY_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif%]|\{\w+\}")


def _read_catalog():
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="en", domain="django")


@pytest.fixture(scope="module")
def english_locale_dir(tmp_path_factory):
    catalog = _read_catalog()
    root = tmp_path_factory.mktemp("locale")
    target = root / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "django.mo").open("wb") as f:
        write_mo(f, catalog)
    return root


@pytest.fixture
def english_catalog(english_locale_dir, settings):
    # Changing LOCALE_PATHS makes Django drop its cached translations (setting_changed).
    settings.LOCALE_PATHS = [english_locale_dir]
    return english_locale_dir


def switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"


# --- the catalog itself ---------------------------------------------------------------------


def test_catalog_header_declares_english_plurals():
    header = PO_PATH.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Language: en\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
    assert "#, fuzzy" not in header
    catalog = _read_catalog()
    assert catalog.num_plurals == 2
    assert catalog.charset.lower() == "utf-8"


def test_every_entry_is_translated_without_fuzzy_flags():
    catalog = _read_catalog()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    fuzzy = [m.id for m in messages if m.fuzzy]
    empty = [
        m.id
        for m in messages
        if (any(not s.strip() for s in m.string) if m.pluralizable else not m.string.strip())
    ]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"
    assert not empty, f"untranslated entries: {empty[:10]}"


def test_compiled_catalog_has_every_message_with_its_placeholders(english_locale_dir):
    """Read the compiled .mo back with the standard library and check every msgid."""
    catalog = _read_catalog()
    with (english_locale_dir / "en" / "LC_MESSAGES" / "django.mo").open("rb") as f:
        mo = gettext.GNUTranslations(BytesIO(f.read()))
    problems = []
    for m in catalog:
        if not m.id:
            continue
        if m.pluralizable:
            singular, plural = m.id
            for n, source in ((1, singular), (2, plural)):
                key = (singular, 0 if n == 1 else 1)
                if not mo._catalog.get(key, "").strip():
                    problems.append(("empty", source))
                    continue
                translated = mo.ngettext(singular, plural, n)
                missing = set(NAMED.findall(source)) - set(NAMED.findall(translated))
                if missing:
                    problems.append(("placeholder", source, translated, missing))
        else:
            if not mo._catalog.get(m.id, "").strip():
                problems.append(("empty", m.id))
                continue
            translated = mo.gettext(m.id)
            missing = set(NAMED.findall(m.id)) - set(NAMED.findall(translated))
            if missing:
                problems.append(("placeholder", m.id, translated, missing))
            # Nothing dropped, nothing invented: %s, %%, {name} must match one for one.
            if sorted(ANY_PLACEHOLDER.findall(m.id)) != sorted(ANY_PLACEHOLDER.findall(translated)):
                problems.append(("placeholders differ", m.id, translated))
    assert not problems, problems[:10]


def test_placeholder_check_catches_a_dropped_placeholder(tmp_path):
    """The check above would fail on a translation that loses its %(name)s."""
    from babel.messages.catalog import Catalog

    broken = Catalog(locale="en", domain="django")
    broken.add("Xin chào, %(name)s", "Hello", flags=["python-format"])
    buf = BytesIO()
    write_mo(buf, broken)
    buf.seek(0)
    mo = gettext.GNUTranslations(buf)
    translated = mo.gettext("Xin chào, %(name)s")
    assert set(NAMED.findall("Xin chào, %(name)s")) - set(NAMED.findall(translated))


# --- pages ------------------------------------------------------------------------------------


def test_login_page_is_vietnamese_by_default(client, db, english_catalog):
    html = client.get("/login/").content.decode()
    assert "Đăng nhập" in html
    assert "Mật khẩu" in html
    assert "Log in" not in html


def test_login_page_is_english_after_switching(client, db, english_catalog):
    switch_to_english(client)
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html or 'lang="en"' in html
    assert "Log in" in html
    assert "Password" in html
    assert "Username" in html
    assert "Đăng nhập" not in html
    assert "Mật khẩu" not in html


def test_switching_back_to_vietnamese(client, db, english_catalog):
    switch_to_english(client)
    client.post("/i18n/setlang/", {"language": "vi", "next": "/login/"})
    html = client.get("/login/").content.decode()
    assert "Đăng nhập" in html
    assert "Log in" not in html


def test_logged_in_page_shows_english_navigation(client, staff, english_catalog):
    client.force_login(staff.commune_worker_a)

    vietnamese = client.get("/people/")
    assert vietnamese.status_code == 200
    html = vietnamese.content.decode()
    assert "Trang chủ" in html
    assert "Tra cứu người dân" in html
    assert "Đăng xuất" in html

    switch_to_english(client)
    english = client.get("/people/")
    assert english.status_code == 200
    html = english.content.decode()
    for label in ("Home", "Resident lookup", "Log out"):
        assert label in html, label
    for label in ("Trang chủ", "Tra cứu người dân", "Đăng xuất"):
        assert label not in html, label


def test_admin_navigation_is_english_after_switching(client, staff, english_catalog):
    client.force_login(staff.province_admin)
    switch_to_english(client)
    html = client.get("/home/").content.decode()
    for label in ("Accounts", "Audit log", "Hello, "):
        assert label in html, label
    for label in ("Tài khoản", "Nhật ký", "Xin chào"):
        assert label not in html, label

"""The interface is Chinese; English is there for whoever chooses it (docs/i18n.md)."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from minzheng.accounts.passwords import CharacterClassValidator

EN_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
WEB_TEMPLATES = Path(settings.PACKAGE_DIR) / "web" / "templates"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry of a .po file, header left out."""
    entries: list[tuple[str, str, bool]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        parts: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith(("msgid ", "msgstr ")):
                key, _, rest = line.partition(" ")
                parts[key] = rest
            elif line.startswith('"') and key:
                parts[key] += line
        if "msgid" not in parts:
            continue

        def unquote(joined: str) -> str:
            return "".join(
                s.encode("raw_unicode_escape").decode("unicode_escape")
                for s in re.findall(r'"((?:[^"\\]|\\.)*)"', joined)
            )

        msgid, msgstr = unquote(parts["msgid"]), unquote(parts.get("msgstr", ""))
        if msgid:
            entries.append((msgid, msgstr, fuzzy))
    return entries


def test_every_english_message_is_translated_and_not_fuzzy():
    entries = _po_entries(EN_DIR / "django.po")

    assert len(entries) > 50
    assert [m for m, s, _ in entries if not s] == []
    assert [m for m, _, fuzzy in entries if fuzzy] == []


def test_the_compiled_catalog_matches_the_po_file():
    with (EN_DIR / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)

    stale = [m for m, s, _ in _po_entries(EN_DIR / "django.po") if compiled.gettext(m) != s]

    assert stale == [], "run compilemessages (docs/i18n.md)"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs msgfmt (Debian: gettext)")
def test_the_po_file_passes_msgfmt_checks():
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(EN_DIR / "django.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


#: apps whose pages are translated
TRANSLATED_APPS = (
    "web",
    "registry",
    "assistance",
    "payments",
    "administration",
    "rescue",
    "reports",
    "geo",
    "workdays",
)
#: official documents stay in Chinese whatever the interface language (docs/i18n.md)
OFFICIAL_DOCUMENTS = {
    "assistance/templates/assistance/publicity_pdf.html",
    "assistance/templates/assistance/dynamic/notice.html",
}


@pytest.mark.parametrize("app", TRANSLATED_APPS)
def test_templates_have_no_chinese_outside_translation_tags(app):
    tag = re.compile(
        r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}|{%\s*translate\b.*?%}|{#.*?#}"
        r"|\b_\(\s*(\"[^\"]*\"|'[^']*')\s*\)",
        re.DOTALL,
    )
    package = Path(settings.PACKAGE_DIR)
    left = {}
    for path in sorted((package / app / "templates").rglob("*.html")):
        name = str(path.relative_to(package))
        if name in OFFICIAL_DOCUMENTS:
            continue
        rest = tag.sub("", path.read_text(encoding="utf-8"))
        found = [line.strip() for line in rest.splitlines() if CJK.search(line)]
        if found:
            left[name] = found
    assert left == {}


@pytest.mark.django_db
def test_chinese_is_shown_even_when_the_browser_asks_for_english(client):
    resp = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    body = resp.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "民政综合管理系统" in body
    assert resp["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_switching_to_english_saves_the_choice_and_shows_english(client):
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})

    assert resp.status_code == 302
    assert resp.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in body
    assert "Civil Affairs Management System" in body
    assert "After 5 failed attempts in a row the account is locked." in body


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    body = client.get("/accounts/login/").content.decode()

    assert '<html lang="zh-hans">' in body


@pytest.mark.django_db
def test_english_dashboard_translates_the_menu_and_the_role(login_as, officer_a):
    client = login_as(officer_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    body = client.get("/").content.decode()

    assert "Dashboard · 塘南镇" in body
    assert "officer_a (Town officer)" in body
    assert ">Background jobs</a>" in body


def test_password_rules_speak_the_active_language():
    validator = CharacterClassValidator()
    for language, words in (("zh-hans", "至少三类"), ("en", "at least three of")):
        with translation.override(language), pytest.raises(ValidationError) as exc:
            validator.validate("abcdefgh")
        assert words in exc.value.messages[0]

"""The Simplified Chinese catalogue is complete and the committed compiled catalogue matches it."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries():
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:  # the first block is the header
        if block.startswith("#~"):
            continue
        msgid = "".join(
            re.findall(r'"(.*)"', block.split("msgid ", 1)[1].split("\nmsgstr")[0].split("\nmsgid_plural")[0])
        )
        msgstr = "".join(
            re.findall(r'"(.*)"', re.split(r"\nmsgstr(?:\[0\])? ", block, maxsplit=1)[1].split("\nmsgstr[")[0])
        )
        yield block, msgid, msgstr


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [msgid for block, msgid, msgstr in _entries() if not msgstr]
    fuzzy = [msgid for block, msgid, msgstr in _entries() if "#, fuzzy" in block or ", fuzzy" in block]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for _block, msgid, msgstr in _entries()
        if "msgid_plural" not in _block and compiled.gettext(msgid.encode().decode("unicode_escape")) == msgid
    ]
    assert stale == [], "run `make messages` to recompile the catalogue"


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_by_default_and_english_on_request():
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in page and "Log in" in page
    with translation.override("zh-hans"):
        from customers.models import Customer

        assert str(Customer._meta.verbose_name) == "客户"

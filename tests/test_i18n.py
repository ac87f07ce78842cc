"""gdprkit's own texts: one catalogue type, both languages for every message, unknown refused."""

from __future__ import annotations

import string

import pytest

import gdprkit as gk
from gdprkit._i18n import PAGE, RECEIPT, Catalogue, Message, language

CATALOGUES = {"page": PAGE, "receipt": RECEIPT}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_known_language_is_itself(lang):
    assert language(lang) == lang
    assert language(lang, default="en") == lang


@pytest.mark.parametrize("lang", ["de", "SV", "", None, "sv-SE"], ids=repr)
def test_an_unknown_language_is_refused_or_falls_back_when_asked(lang):
    with pytest.raises(gk.UnknownLanguage, match="expected 'sv' or 'en'"):
        language(lang)
    assert language(lang, default="en") == "en"


def test_a_lookup_names_its_language_and_refuses_others():
    catalogue = Catalogue({"hello": Message(sv="Hej {name}", en="Hello {name}")})
    assert catalogue.text("hello", "sv") == "Hej {name}"
    assert catalogue.texts("en") == {"hello": "Hello {name}"}
    with pytest.raises(gk.UnknownLanguage, match="'fi'"):
        catalogue.text("hello", "fi")
    with pytest.raises(gk.UnknownLanguage):
        catalogue.texts("de")
    with pytest.raises(KeyError):
        catalogue.text("goodbye", "sv")
    assert repr(catalogue) == "<Catalogue of 1 messages>"
    assert isinstance(gk.UnknownLanguage("x"), LookupError)


@pytest.mark.parametrize(
    ("sv", "en"), [("", "Hello"), ("Hej", ""), ("Hej", None)], ids=["no sv", "no en", "en not str"]
)
def test_a_message_needs_both_languages(sv, en):
    with pytest.raises(TypeError, match=r"Message\.(sv|en)"):
        Message(sv=sv, en=en)


def test_a_catalogue_holds_only_messages():
    with pytest.raises(TypeError, match="'hello'"):
        Catalogue({"hello": "Hej"})  # type: ignore[dict-item]


def _fields(text):
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("name", CATALOGUES)
def test_both_languages_of_a_message_fill_in_the_same_values(name):
    for key, message in CATALOGUES[name].messages.items():
        assert _fields(message.sv) == _fields(message.en), key

"""gdprkit's own texts: one catalogue type, both languages for every message, unknown refused."""

from __future__ import annotations

import string

import pytest

import gdprkit as gk
from gdprkit._i18n import NOTICE, PAGE, RECEIPT, RIGHTS, Catalogue, Message, language, period_words

CATALOGUES = {"page": PAGE, "receipt": RECEIPT, "notice": NOTICE, "rights": RIGHTS}


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


@pytest.mark.parametrize(
    ("lang", "period", "words"),
    [
        pytest.param("sv", {"months": 12}, "12 månader", id="sv: twelve months"),
        pytest.param("en", {"months": 12}, "12 months", id="en: twelve months"),
        pytest.param("sv", {"months": 1}, "1 månad", id="sv: one month, singular"),
        pytest.param("en", {"days": 90}, "90 days", id="en: ninety days"),
        pytest.param("sv", {"years": 1}, "1 år", id="sv: one year"),
        pytest.param("en", {"years": 1, "months": 6}, "1 year and 6 months", id="en: two parts"),
        pytest.param(
            "sv", {"years": 2, "months": 1, "days": 1}, "2 år, 1 månad och 1 dag", id="sv: three"
        ),
        pytest.param("en", {}, "0 days", id="en: nothing at all"),
    ],
)
def test_a_period_reads_as_words(lang, period, words):
    assert period_words(lang, **period) == words


def test_a_period_in_an_unknown_language_is_refused():
    with pytest.raises(gk.UnknownLanguage, match="'de'"):
        period_words("de", months=12)


def test_every_right_the_notice_explains_is_a_right():
    assert set(RIGHTS.messages) <= {r.value for r in gk.Right}

"""The export package's page: the data itself, human names, plain words, in the language asked.

The page is what a customer reads when they ask Elveta what it holds on them
(Art. 12(1), 15). These tests read it as HTML; tests/test_rights_page_screens.py
looks at it in a browser.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import tomllib
import tracemalloc
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import attrs
import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models, service
from gdprkit._rights import export as export_module
from gdprkit._rights.page import index_html, page_language
from gdprkit._rights.page_style import DARK, LIGHT, PRINT, STYLE, TEXT_ON
from gdprkit.cli import main

from .answered import NEIGHBOUR, withhold_the_neighbours_number
from .answered import sources as answered_sources
from .conftest import ELVETA_POLICY, ROOT, SERVICE_HOURS, service_database

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


class Page(HTMLParser):
    """The parts of a page the tests read: elements with their attributes, text, headings."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[int, str]] = []
        self.chunks: list[str] = []
        self._heading: int | None = None
        self._style = False
        self._glue = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._style = tag == "style"
        self._glue = tag == "wbr"  # a line-break opportunity inside a word, not a space
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            self.headings.append((self._heading, ""))

    def handle_endtag(self, tag):
        self._style = False
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = None

    def handle_data(self, data):
        if self._style:
            return
        if self._glue and self.chunks:
            self.chunks[-1] += data
        else:
            self.chunks.append(data)
        self._glue = False
        if self._heading is not None:
            level, text = self.headings[-1]
            self.headings[-1] = (level, text + data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.elements if name == tag]


def _export(db, tmp_path, *, scope="access", name=None, sources=None, **kw):
    return rights.export_subject(
        rights.SubjectRef("customer", "C-1042"),
        service.sources(db) if sources is None else sources,
        models.policy,
        scope=scope,
        at=AT,
        out=tmp_path / (name or f"{scope}-{kw.get('lang')}.zip"),
        facts=service.facts_for(db, "C-1042"),
        **kw,
    )


def _html(result) -> str:
    return _page_of(result.path)


def _page_of(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("index.html").decode("utf-8")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[tuple[str, str], str]:
    """The demo customer's access and portability pages in Swedish and English."""
    tmp = tmp_path_factory.mktemp("pages")
    db = service_database(tmp / "elveta.db")
    try:
        return {
            (scope, lang): _html(_export(db, tmp, scope=scope, lang=lang))
            for scope in ("access", "portability")
            for lang in ("sv", "en")
        }
    finally:
        db.close()


# -- language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "kind"),
    [
        pytest.param(None, "Dina personuppgifter hos Picofrost AB", "Mätvärden",
                     id="default: the policy's first language, Swedish"),
        pytest.param("sv", "Dina personuppgifter hos Picofrost AB", "Mätvärden", id="sv"),
        pytest.param("en", "Your personal data held by Picofrost AB", "Meter readings", id="en"),
    ],
)  # fmt: skip
def test_the_page_is_in_the_language_asked_for(db, tmp_path, lang, title, kind):
    result = _export(db, tmp_path, lang=lang)
    page = Page(_html(result))
    expected = lang or "sv"
    assert page.all("html")[0]["lang"] == expected
    assert result.manifest["language"] == expected
    assert page.headings[0] == (1, title)
    assert any(text.startswith(kind) for level, text in page.headings if level == 3)


@pytest.mark.parametrize("lang", ["de", "SV", "", "sv-SE"], ids=repr)
def test_a_language_without_texts_is_refused_and_nothing_written(db, tmp_path, lang):
    with pytest.raises(gk.UnknownLanguage, match="expected 'sv' or 'en'"):
        _export(db, tmp_path, lang=lang, name="refused.zip")
    assert not list(tmp_path.glob("*.zip*"))


@pytest.mark.parametrize(
    ("languages", "page"),
    [
        pytest.param(("sv", "en"), "sv", id="the first"),
        pytest.param(("en", "sv"), "en", id="English first"),
        pytest.param(("de", "sv"), "sv", id="the first gdprkit has texts in"),
        pytest.param(("de", "fi"), "en", id="none of them: English"),
    ],
)
def test_the_default_language_is_the_policys_first_that_gdprkit_speaks(languages, page):
    assert page_language(attrs.evolve(models.policy, languages=languages), None) == page


def test_the_cli_writes_the_page_in_the_language_asked_for(tmp_path, capsys):
    db = tmp_path / "elveta.db"
    service_database(db).close()
    out = tmp_path / "en.zip"
    argv = ["export", "--policy", str(ELVETA_POLICY), "--db", str(db), "--subject", "C-1042",
            "--kind", "customer", "--sources", "gdprkit._demo.service:sources"]  # fmt: skip
    assert main([*argv, "--out", str(out), "--lang", "en"]) == 0
    assert '<html lang="en">' in _page_of(out)
    assert main([*argv, "--out", str(tmp_path / "de.zip"), "--lang", "de"]) == 2
    assert "invalid choice: 'de'" in capsys.readouterr().err
    assert not (tmp_path / "de.zip").exists()


# -- what the person reads -------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["access", "portability"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_names_are_for_people_never_class_or_table_names(pages, scope, lang):
    text = Page(pages[scope, lang]).text
    for technical in ("MeterReading", "ChurnScore", "Customer (customers)", "(meter_readings)",
                      "amount_sek", "P12M", "fält utan märkning", "untagged field"):  # fmt: skip
        assert technical not in text, technical
    for words in ("WP242 rev.01",):
        # jargon only with its plain explanation beside it
        for at in (m.start() for m in re.finditer(re.escape(words), text)):
            assert re.search("riktlinjer|guidelines", text[max(0, at - 120) : at]), text[at - 120 :]


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        pytest.param("sv", ["Anna Berg", "Förbrukning (kWh)", "Fakturanummer", "Belopp (kr)",
                            "Kundnummer", "Gatuadress", "Kunduppgifter", "Mätvärden"], id="sv"),
        pytest.param("en", ["Anna Berg", "Consumption (kWh)", "Invoice number", "Amount (SEK)",
                            "Customer number", "Street address", "Customer details",
                            "Meter readings"], id="en"),
    ],
)  # fmt: skip
def test_the_person_sees_their_records_with_human_labels(pages, db, lang, shown):
    page = Page(pages["access", lang])
    for words in shown:
        assert words in page.text, words
    email = db.execute("SELECT email FROM customers WHERE customer_id = 'C-1042'").fetchone()[0]
    assert email in page.text
    first_kwh = db.execute(
        "SELECT kwh FROM meter_readings WHERE customer_id = 'C-1042' ORDER BY read_at"
    ).fetchone()[0]
    cells = [a.get("data-label") for a in page.all("td")]
    assert (
        cells.count("Förbrukning (kWh)" if lang == "sv" else "Consumption (kWh)") == SERVICE_HOURS
    )
    assert str(Decimal(first_kwh)) in page.text


def test_a_value_that_is_the_same_in_every_row_is_said_once(pages):
    page = Page(pages["access", "sv"])
    assert "Samma i alla poster som visas: Kundnummer : C-1042; Mätare : M-7700." in page.text
    # the meter readings' table has neither column, but a time and a value on every row
    labels = [a.get("data-label") for a in page.all("td")]
    assert labels.count("Tidpunkt") == SERVICE_HOURS
    assert "Kundnummer" not in labels and "Mätare" not in labels


def test_a_large_kind_shows_its_first_rows_the_count_and_the_files(tmp_path):
    hours = rights.PREVIEW_ROWS + 25
    db = service_database(tmp_path / "elveta.db", hours=hours)
    try:
        page = Page(_html(_export(db, tmp_path, lang="en")))
    finally:
        db.close()
    kwh = [a for a in page.all("td") if a.get("data-label") == "Consumption (kWh)"]
    assert len(kwh) == rights.PREVIEW_ROWS == 50
    assert f"The first 50 of {hours} records are shown here." in page.text
    assert {"data/meter_readings.csv", "data/meter_readings.jsonl"} <= {
        a["href"] for a in page.all("a")
    }


def _readings(n: int):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return lambda subject: (
        models.MeterReading("C-1042", "M-1", start + timedelta(hours=i), Decimal("1.25"))
        for i in range(n)
    )


def _peak_bytes(n: int, tmp_path) -> int:
    source = rights.IterableSource(
        "meter_readings", models.MeterReading, _readings(n), subject_field="customer_id"
    )
    tracemalloc.start()
    try:
        rights.export_subject(
            rights.SubjectRef("customer", "C-1042"), [source], models.policy, at=AT,
            out=tmp_path / f"{n}.zip",
        )  # fmt: skip
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_page_keeps_only_the_first_rows_so_memory_stays_flat(tmp_path, monkeypatch):
    """Kept rows would cost over 100 bytes each: 30,000 more rows must add far less."""
    previews = {}
    real = export_module.index_html

    def spy(manifest, policy, shown):
        previews.update(shown)
        return real(manifest, policy, shown)

    monkeypatch.setattr(export_module, "index_html", spy)
    growth = _peak_bytes(40_000, tmp_path) - _peak_bytes(10_000, tmp_path)
    assert len(previews["meter_readings"].rows) == rights.PREVIEW_ROWS
    assert growth < 1_500_000, growth


def test_values_are_escaped(tmp_path):
    ticket = models.SupportTicket("T-1", "C-1042", AT, "<script>alert(1)</script> & <b>hej</b>")
    source = rights.IterableSource(
        "support_tickets", models.SupportTicket, [ticket], subject_field="customer_id"
    )
    result = rights.export_subject(
        rights.SubjectRef("customer", "C-1042"), [source], models.policy, at=AT,
        out=tmp_path / "t.zip",
    )  # fmt: skip
    html = _html(result).replace("<wbr>", "")
    assert "<script>" not in html and "<b>hej" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;hej&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        pytest.param("sv", ["Beräknat eller härlett av oss, inte lämnat av dig",
                            "bara med stöd av berättigat intresse"], id="sv"),
        pytest.param("en", ["Worked out or inferred by us, not provided by you",
                            "only on legitimate interests"], id="en"),
    ],
)  # fmt: skip
def test_portability_says_in_plain_words_what_is_left_out(pages, lang, expected):
    text = Page(pages["portability", lang]).text
    for words in expected:
        assert words in text, words
    assert "Riskpoäng (0–1)" in text if lang == "sv" else "Risk score (0–1)" in text


def test_a_kind_left_out_whole_has_no_empty_table(pages):
    """Portability leaves every field of the churn score out: its section has no table."""
    html = pages["portability", "sv"]
    section = html.split('<h3 id="k-churn_scores">')[1].split("</section>")[0]
    assert "<table" not in section
    assert "<tbody></tbody>" not in html


def test_the_authority_is_a_link_and_transfers_are_stated(pages):
    page = Page(pages["access", "en"])
    hrefs = {a["href"] for a in page.all("a")}
    assert "https://www.imy.se/" in hrefs
    assert "We do not transfer your personal data to countries outside the EU" in page.text


def test_transfers_outside_the_eea_name_recipient_country_and_safeguard(db, tmp_path):
    document = tomllib.loads(ELVETA_POLICY.read_text(encoding="utf-8"))
    document["recipients"]["support_desk"] = {
        "name": {"sv": "Supportverktyg (USA)", "en": "Support desk tool (USA)"},
        "country": "US",
        "safeguards": "EU standard contractual clauses (Art. 46(2)(c))",
    }
    document["purposes"]["crm"]["recipients"].append("support_desk")
    policy = gk.Policy.from_dict(document)
    manifest = _export(db, tmp_path, lang="sv").manifest
    text = Page(index_html(manifest, policy)).text
    assert "Vi för över personuppgifter till dessa mottagare utanför EU och EES" in text
    assert "Supportverktyg (USA) (US): EU standard contractual clauses (Art. 46(2)(c))" in text


# -- keys another part of gdprkit may add to the manifest ----------------------------------


def _with(manifest: Mapping[str, Any], **top: Any) -> dict[str, Any]:
    changed = copy.deepcopy(dict(manifest))
    changed.update(top)
    return changed


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("manifest")
    db = service_database(tmp / "elveta.db")
    try:
        return dict(_export(db, tmp, lang="sv").manifest)
    finally:
        db.close()


@pytest.mark.parametrize(
    ("lang", "statement", "searched", "csv"),
    [
        pytest.param("sv", "Vi behandlar inga personuppgifter om dig.",
                     "Vi har sökt bland dessa slags uppgifter: Kunduppgifter, Avtal, Fakturor,",
                     "CSV-filerna", id="sv"),
        pytest.param("en", "We do not process any personal data about you.",
                     "We searched these kinds of records: Customer details, Contracts, Invoices,",
                     "CSV files", id="en"),
    ],
)  # fmt: skip
def test_nothing_held_is_said_plainly(manifest, lang, statement, searched, csv):
    kinds = [dict(k, rows=0) for k in manifest["record_kinds"]]
    page = Page(index_html(_with(manifest, language=lang, personal_data_held=False,
                                 record_kinds=kinds), models.policy))  # fmt: skip
    assert statement in page.text
    assert searched in page.text  # "no" is an answer when it says where it was looked for
    assert csv not in page.text  # no data files to explain
    # the opening must not promise to show data that is not there
    assert not any(w in page.text for w in ("Här ser du vilka", "It shows the personal data"))
    ids = {a.get("id") for _, a in page.elements}
    assert "held" not in ids and "why" not in ids  # no account of data that is not there
    assert "rights" in ids and "files" in ids
    assert statement not in Page(index_html(manifest, models.policy)).text


@pytest.fixture(scope="module")
def answered(tmp_path_factory) -> dict[str, str]:
    """Anna's real access package, with third-party data and a redaction, in sv and en."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "export-manifest.schema.json").read_text(encoding="utf-8"))
    tmp = tmp_path_factory.mktemp("answered")
    db = service_database(tmp / "elveta.db")
    sources = answered_sources(db)
    try:
        pages = {}
        for lang in ("sv", "en"):
            result = _export(db, tmp, lang=lang, redact=withhold_the_neighbours_number,
                             sources=sources)  # fmt: skip
            manifest = rights.verify_package(result.path)
            jsonschema.validate(manifest, schema)
            kinds = {k["source"]: k for k in manifest["record_kinds"]}
            assert kinds["partner_signups"]["sources_of_data"] == [
                {"text": {"sv": "Återförsäljaren Solpartner AB",
                          "en": "the reseller Solpartner AB"}, "fields": ["name", "phone"]},
                {"text": {"sv": "Lantmäteriet", "en": "Lantmäteriet"}, "fields": ["dwelling"]},
            ]  # fmt: skip
            assert [(r["field"], r["count"], r["ground"]) for r in
                    kinds["support_tickets"]["redactions"]] == [("message", 1, "other_person")]  # fmt: skip
            pages[lang] = _html(result)
        return pages
    finally:
        db.close()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        pytest.param("sv", [
            "Anmälningar via partner",
            "Källor: Återförsäljaren Solpartner AB (Namn, Telefon); Lantmäteriet (Bostadstyp)",
            "Utelämnat för att skydda andra",
            "Meddelande: 1 uppgift utelämnad (artikel 15.4: personuppgifter om någon annan, "
            "utelämnade för att skydda dennes rättigheter och friheter).",
            "Ring min granne Bo på [nummer borttaget] om nyckeln",
        ], id="sv"),
        pytest.param("en", [
            "Sign-ups through partners",
            "Sources: the reseller Solpartner AB (Name, Phone); Lantmäteriet (Type of home)",
            "Withheld to protect others",
            "Message: 1 value withheld (Art. 15(4): personal data of another person, withheld "
            "to protect their rights and freedoms).",
            "Ring min granne Bo på [nummer borttaget] om nyckeln",
        ], id="en"),
    ],
)  # fmt: skip
def test_a_real_package_shows_sources_of_data_and_redactions(answered, lang, expected):
    html = answered[lang]
    text = Page(html).text
    for words in expected:
        assert words in text, words
    assert NEIGHBOUR not in html  # the page shows what was delivered, never what was withheld


def test_a_redaction_ground_gdprkit_does_not_know_keeps_the_manifests_reason(manifest):
    kinds = copy.deepcopy(manifest["record_kinds"])
    for kind in kinds:
        if kind["source"] == "support_tickets":
            kind["redactions"] = [{"field": "message", "count": 2, "ground": "court_order",
                                   "article": "GDPR Art. 23(1)(f)",
                                   "reason": "withheld under a court order"}]  # fmt: skip
    page = index_html(_with(manifest, language="en", record_kinds=kinds), models.policy)
    assert "Message: 2 values withheld (withheld under a court order)." in Page(page).text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_csv_formula_neutralisation_is_explained_when_the_package_does_it(manifest, lang):
    said = {"sv": "med en apostrof (')", "en": "starts with an apostrophe (')"}[lang]
    marked = _with(manifest, language=lang, csv_formula_neutralised=True)
    assert said in Page(index_html(marked, models.policy)).text
    older = _with(manifest, language=lang)  # a gdprkit.export/1 manifest: no neutralisation
    del older["csv_formula_neutralised"]
    assert said not in Page(index_html(older, models.policy)).text


# -- structure and accessibility ----------------------------------------------------------


@pytest.mark.parametrize("key", [("access", "sv"), ("access", "en"), ("portability", "sv")])
def test_the_page_is_structured_for_every_reader(pages, key):
    page = Page(pages[key])
    levels = [level for level, _ in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert all(text.strip() for _, text in page.headings)
    assert all(th.get("scope") in ("col", "row") for th in page.all("th"))
    ids = [a["id"] for _, a in page.elements if a.get("id")]
    assert len(ids) == len(set(ids))
    for _, a in page.elements:
        for ref in ("aria-labelledby", "aria-describedby"):
            if a.get(ref):
                assert a[ref] in ids, (ref, a[ref])
        if (a.get("href") or "").startswith("#"):
            assert a["href"][1:] in ids, a["href"]
    skip = page.all("a")[0]
    assert skip["class"] == "skip" and skip["href"] == "#main"
    assert page.all("main")[0]["id"] == "main"
    assert page.all("meta")[1]["content"].startswith("width=device-width")


def test_stacked_tables_name_each_cell_by_its_column(pages):
    """A table that becomes cards on a phone labels each cell with its column's header."""
    html = pages["access", "sv"]
    for table in re.findall(r'<table class="rows[^"]*".*?</table>', html, re.DOTALL):
        header = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)
        for row in re.findall(r'<tr role="row">(<td.*?)</tr>', table):
            assert re.findall(r'data-label="(.*?)"', row) == header


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_right():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_every_text_colour_meets_wcag_aa_on_every_background_it_is_drawn_on():
    """The colours are read from the stylesheet itself: light, dark and print."""
    palettes = [
        dict(re.findall(r"--(\w+):(#[0-9a-f]{6})", block))
        for block in re.findall(r":root\{([^}]*)\}", STYLE)
    ]
    assert palettes == [LIGHT, DARK, PRINT]
    for palette in palettes:
        for text, background in TEXT_ON:
            ratio = contrast(palette[text], palette[background])
            assert ratio >= 4.5, (text, background, round(ratio, 2))


def test_links_are_not_told_by_colour_alone():
    """WCAG 1.4.1: a link is underlined, not only coloured."""
    assert "text-decoration:underline" in STYLE
    assert "text-decoration:none" not in STYLE

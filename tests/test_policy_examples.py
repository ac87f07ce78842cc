"""Elveta's policy, faithfully: what is not in the published policy is marked, and shown so.

Issue 13 point 9. ``examples/elveta/policy.toml`` follows Elveta's published
privacy policy (``shared/seed/elveta-privacy-policy.sv.txt``); every value it
adds is listed in ``[policy] examples``, and the notice (Art. 13) and the
export package (Art. 15(1)) mark each such value as an example, so no invented
fact reaches a data subject as Elveta's (Art. 5(1)(a), 12(1)).
"""

from __future__ import annotations

import copy
import zipfile
from datetime import UTC, datetime
from typing import Any

import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models, service

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


# -- what the published policy does not say is marked ------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        *(f"cookies.{name}" for name in ("sessionid", "csrftoken", "cookie_consent", "lang",
                                          "_elveta_stats", "_mkt_ref")),
        "rights.automated_decisions",
        "rights.security_measures",
        "purposes.crm.retention",
        "purposes.personalisation.retention",
        "purposes.marketing.retention",
        "purposes.contract.retention",
        "purposes.analytics.basis",
        "recipients.it_providers",
        "purposes.contract.categories",
    ],
)  # fmt: skip
def test_a_value_the_published_policy_does_not_state_is_an_example(elveta, path):
    assert elveta.is_example(path)


@pytest.mark.parametrize(
    "path",
    [
        "purposes.bookkeeping.retention",  # Bokföringslagen, named by the published policy
        "purposes.bookkeeping.basis",
        "purposes.analytics.retention",  # "anonymiserade data"
        "purposes.analytics.categories",  # energy use, housing, equipment, coarse location
        "purposes.crm.basis",
        "purposes.marketing.basis",
        "controller.org_number",
        "subjects.partner_customer",
    ],
)
def test_what_the_published_policy_states_is_not_an_example(elveta, path):
    assert not elveta.is_example(path)


def test_no_purpose_claims_precise_location_or_partner_customers(elveta):
    # "grov platsinformation" is all the published policy names; "För partnerkunder
    # lagras normalt inte personuppgifter."
    assert all("location.precise" not in map(str, p.categories) for p in elveta.purposes.values())
    assert all("partner_customer" not in p.subjects for p in elveta.purposes.values())


def test_sales_through_partners_who_rebrand_are_represented(elveta):
    partner = elveta.subjects["partner_customer"]
    assert partner.description is not None
    said = partner.description.get("sv")
    assert "varumärket Elveta eller kundanpassa produkten" in said
    assert "För partnerkunder lagras normalt inte personuppgifter" in said


def test_an_example_path_that_names_nothing_is_reported(minimal_dict):
    minimal_dict["policy"]["examples"] = ["rights.security_measures", "purposes.servise.retention"]
    with pytest.raises(gk.PolicyError) as info:
        gk.Policy.from_dict(minimal_dict, source="p.toml")
    (problem,) = info.value.problems
    assert problem.location == "p.toml: policy.examples[1]"
    assert "names no part of the policy" in problem.message


def test_an_array_item_is_named_by_its_name_or_id(minimal_dict):
    minimal_dict["cookies"] = [
        {"name": "sid", "provider": "Exempel AB", "purpose": "strictly_necessary",
         "lifetime": "session", "description": {"sv": "Session.", "en": "Session."}},
    ]  # fmt: skip
    minimal_dict["policy"]["examples"] = ["cookies.sid"]
    policy = gk.Policy.from_dict(minimal_dict)
    assert policy.is_example("cookies.sid") and not policy.is_example("cookies.other")


# -- the notice marks them ---------------------------------------------------------------------


def _line(text: str, start: str) -> str:
    (line,) = [ln for ln in text.splitlines() if ln.startswith(start)]
    return line


@pytest.mark.parametrize(
    ("lang", "mark", "retention", "basis"),
    [("sv", "*(exempel)*", "- Lagringstid:", "- Rättslig grund:"),
     ("en", "*(example)*", "- Retention:", "- Legal basis:")],
    ids=["Swedish notice", "English notice"],
)  # fmt: skip
def test_the_notice_marks_every_example_and_only_examples(elveta, lang, mark, retention, basis):
    text = elveta.render_notice(lang=lang)
    sections = {
        block.split("\n", 1)[0]: block for block in text.split("\n### ")[1:] if "\n" in block
    }
    for pid, p in elveta.purposes.items():
        block = sections[p.name.get(lang)]
        kept = _line(block, retention)
        assert kept.endswith(mark) == elveta.is_example(f"purposes.{pid}.retention"), pid
        assert _line(block, basis).endswith(mark) == elveta.is_example(f"purposes.{pid}.basis")
    assert elveta.automated_decisions.get(lang) + " " + mark in text
    cookies = text.split("## ")[-2]
    assert ("exempel från gdprkit" if lang == "sv" else "example values from gdprkit") in cookies
    assert mark in text.split("\n\n")[2]  # the legend, right after the introduction


def test_a_policy_without_examples_shows_no_marks(minimal):
    for lang in ("sv", "en"):
        text = minimal.render_notice(lang=lang)
        assert "*(exempel)*" not in text and "*(example)*" not in text
        assert "from gdprkit" not in text and "från gdprkit" not in text


def test_the_notice_no_longer_promises_an_unsubscribe_link_nobody_stated(elveta):
    text = elveta.render_notice(lang="sv")
    assert "Varje utskick innehåller en länk" not in text
    assert "Kontakta oss på info@picofrost.com för att invända." in text


def test_the_notice_gives_partner_customers_elvetas_own_words(elveta):
    text = elveta.render_notice(lang="sv")
    assert "**Partnerkunder:** Vi säljer primärt via partners" in text


def test_a_category_is_marked_unless_a_stated_purpose_declares_it(elveta):
    section = elveta.render_notice(lang="en").split("## How we use")[0]
    assert "- coarse location\n" in section  # analytics says "grov platsinformation"
    assert "- energy data\n" in section  # analytics' energy use lies inside it
    assert "- financial data *(example)*" in section


# -- the export package marks them --------------------------------------------------------------


def _package(db: Any, anna: rights.SubjectRef, tmp_path: Any, policy: gk.Policy) -> dict[str, str]:
    result = rights.export_subject(
        anna, service.sources(db), policy, scope="access", at=AT, out=tmp_path / "a.zip"
    )
    rights.verify_package(result.path)
    with zipfile.ZipFile(result.path) as zf:
        return {n: zf.read(n).decode("utf-8") for n in ("index.html", "manifest.json")}


def test_the_export_page_and_manifest_mark_the_examples(db, anna, tmp_path):
    import json

    files = _package(db, anna, tmp_path, models.policy)
    manifest = json.loads(files["manifest.json"])
    assert manifest["example_values"] == sorted(models.policy.examples)
    page = files["index.html"]
    assert "inte från den publicerade integritetspolicyn" in page
    crm = models.policy.purposes["crm"].retention_words("sv")
    assert f'{crm} <span class="note">(exempel)</span>' in page
    books = models.policy.purposes["bookkeeping"].retention_words("sv")
    assert f'{books} <span class="note">(exempel)' not in page and books in page
    automated = models.policy.automated_decisions.get("sv")
    assert f'{automated} <span class="note">(exempel)</span>' in page


def test_a_package_of_a_policy_without_examples_marks_nothing(db, anna, tmp_path):
    data: dict[str, Any] = copy.deepcopy(_raw_elveta())
    data["policy"].pop("examples")
    plain = gk.Policy.from_dict(data)
    files = _package(db, anna, tmp_path, plain)
    assert "(exempel)" not in files["index.html"]
    assert "publicerade" not in files["index.html"]
    assert '"example_values": []' in files["manifest.json"].replace("\n", "").replace("  ", "")


def _raw_elveta() -> dict[str, Any]:
    import tomllib

    with open(models.POLICY_PATH, "rb") as fh:
        return tomllib.load(fh)

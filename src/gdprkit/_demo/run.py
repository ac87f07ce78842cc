"""``python -m gdprkit demo``: the Elveta walkthrough, on stores in a folder it keeps."""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Literal
from zoneinfo import ZoneInfo

import attrs

import gdprkit as gk
from gdprkit import anonymize, pseudonym, retention, rights
from gdprkit._demo import folder as demo_folder
from gdprkit._demo import models, service
from gdprkit._policy.notice import lifetime_words
from gdprkit._term import Progress, Terminal
from gdprkit.audit import AuditLog
from gdprkit.consent import IndicationMethod, Ledger, ObjectionState, RestrictionScope
from gdprkit.policy import Policy
from gdprkit.requests import RequestKind, RequestRegister
from gdprkit.rights import SQLSource
from gdprkit.store.sqlite import SQLiteStore

#: A customer's retention facts (``service.facts_for``).
Facts = dict[str, date | datetime | None]

#: The demo's output fits a terminal this wide.
WIDTH = 100

#: How many invented customers the service database holds.
CUSTOMERS = 200

_ANNA = service.customer_id(0)
#: The browser of a visitor of Elveta's website: cookie consent is recorded per browser.
_BROWSER = "browser-7f3a"
#: The files a run writes into its folder (and removes there before the next run).
WRITTEN = (
    "elveta.db",
    "gdprkit.db",
    "gdprkit.kek",
    *(
        f"{_ANNA}-{scope}{end}"
        for scope in ("access", "portability")
        for end in (".zip", "-index.html")
    ),
)


class Report:
    """Prints the walkthrough for people, or collects the same facts for ``--json``."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.term = Terminal(width=WIDTH)
        self.facts: dict[str, Any] = {}
        self._section: dict[str, Any] = self.facts

    def section(self, key: str, title: str) -> None:
        """Start a section (a heading on the terminal, a key in the JSON)."""
        self._section = self.facts.setdefault(key, {})
        if not self.as_json:
            self.term.heading(title)

    def fact(self, key: str, label: str, value: Any) -> None:
        """One named fact."""
        self._section[key] = value
        if not self.as_json:
            self.term.kv(label, value)

    def table(self, key: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A table of facts (a list of objects in the JSON)."""
        self._section[key] = [dict(zip(header, row, strict=True)) for row in rows]
        if not self.as_json:
            self.term.table(header, rows)

    def note(self, text: str) -> None:
        """A line of explanation (terminal only)."""
        if not self.as_json:
            self.term.line("  " + text)


def run_demo(
    *, directory: str | None = None, as_json: bool = False, progress: bool | None = None
) -> int:
    """Run the Elveta story in ``directory`` (else a new temporary folder) and print it.

    The folder is kept, with the stores and the export packages, and the
    last lines say where; a folder an earlier run wrote is started afresh
    (:mod:`gdprkit._demo.folder`). ``progress`` shows the seeding on stderr
    (None: only on a terminal). Returns the exit status.
    """
    folder = demo_folder.prepare(directory, WRITTEN)
    report = Report(as_json)
    _walkthrough(report, folder, Progress(enabled=progress))
    if as_json:
        print(json.dumps(report.facts, ensure_ascii=False, indent=2, default=str))
    return 0


@attrs.frozen
class _World:
    """Elveta's service and gdprkit's store as the walkthrough sets them up, at a fixed clock."""

    report: Report
    folder: Path
    policy: Policy
    tz: ZoneInfo
    now: datetime
    conn: sqlite3.Connection
    ids: tuple[str, ...]
    store: SQLiteStore
    keyring: pseudonym.Keyring
    audit: AuditLog
    ledger: Ledger
    register: RequestRegister
    sources: tuple[SQLSource, ...]

    @property
    def anna_ref(self) -> rights.SubjectRef:
        """The first invented customer, whose contract ended on 2025-06-30."""
        return rights.SubjectRef(kind="customer", id=self.ids[0])

    def anna(self) -> models.Customer:
        """Anna's customer record as the service holds it now."""
        anna = next(iter(self.sources[0].records(self.anna_ref)))
        assert isinstance(anna, models.Customer)
        return anna


def _walkthrough(report: Report, folder: Path, progress: Progress) -> None:
    policy = models.policy
    tz = ZoneInfo(str(policy.timezone))
    # The demo's clock is fixed so that its output is the same every run.
    now = datetime(2026, 11, 25, 10, 0, tzinfo=tz)
    _policy_section(report, policy, folder)
    with progress:
        world = _open_world(report, folder, policy, tz, now, progress)
    _data_section(world)
    _projection_section(world)
    _objection_section(world)
    _restriction_section(world)
    _assessment_section(world)
    facts = _retention_section(world)
    _pseudonym_section(world)
    _analytics_section(world)
    _export_section(world, facts)
    _erasure_section(world, facts)
    _audit_section(world)
    world.store.close()
    world.conn.close()
    _folder_section(world)


def _open_world(
    report: Report, folder: Path, policy: Policy, tz: ZoneInfo, now: datetime, progress: Progress
) -> _World:
    """Seed the service database and open gdprkit's store, keyring, audit log and ledgers."""
    conn = sqlite3.connect(folder / "elveta.db")
    service.create_schema(conn)
    ids = service.seed(
        conn,
        customers=CUSTOMERS,
        hours=24 * 7,
        progress=lambda done, total: progress.update(
            "seeding the service database", done, total, "customers"
        ),
    )
    store = SQLiteStore(folder / "gdprkit.db")
    keyring = pseudonym.Keyring.generate(at=now)
    keyring.save(store, kek=_demo_kek(folder))
    audit = AuditLog(store, pseudonymizer=pseudonym.Pseudonymizer(keyring, domain="audit"))
    ledger = Ledger(
        store, policy, pseudonymizer=pseudonym.Pseudonymizer(keyring, domain="ledger"), audit=audit
    )
    register = RequestRegister(store, tz=tz, audit=audit)
    return _World(
        report, folder, policy, tz, now, conn, tuple(ids), store, keyring, audit, ledger,
        register, tuple(service.sources(conn)),
    )  # fmt: skip


def _demo_kek(folder: Path) -> pseudonym.Kek:
    """The demo's key-encryption key: a ``0600`` file beside its store, made for this run.

    A service keeps its KEK apart from the store (a secret manager, a KMS);
    the demo keeps both in its folder, so that ``gdprkit audit verify
    --kek-file`` can check the audit log afterwards, and a rerun there
    removes both.
    """
    return pseudonym.Kek.create_file(folder / "gdprkit.kek", exist_ok=True)


def _data_section(world: _World) -> None:
    report, conn = world.report, world.conn
    report.section("data", "2. Elveta's service database, and the people in this walkthrough")
    report.fact("database", "service database", str(world.folder / "elveta.db"))
    report.table(
        "tables",
        ("table", "rows"),
        [
            (s.name, conn.execute(f'SELECT count(*) FROM "{s.name}"').fetchone()[0])
            for s in world.sources
        ],
    )
    report.note(f"{CUSTOMERS} invented customers. The walkthrough follows three people:")
    report.table("people", ("who", "name", "in this walkthrough"), _people(world))
    report.note("Below, anna is Anna's customer record as the service holds it.")


def _people(world: _World) -> list[tuple[str, str, str]]:
    """The invented people the sections below act on, by id, with the name the service holds."""

    def name(cid: str) -> str:
        row = world.conn.execute("SELECT name FROM customers WHERE customer_id = ?", (cid,))
        return str(row.fetchone()[0])

    anna, third = world.ids[0], world.ids[2]
    return [
        (
            anna,
            name(anna),
            "her contract ended on 2025-06-30; she corrects her phone number, objects to "
            "marketing, asks for her data, then for its erasure",
        ),
        (third, name(third), "a customer whose support note is crypto-shredded"),
        (_BROWSER, "(unknown)", "a browser on elveta.se that accepts statistics cookies"),
    ]


def _projection_section(world: _World) -> None:
    report = world.report
    report.section("projection", "3. Purpose limitation: what marketing may see")
    anna = world.anna()
    schema = gk.schema_of(models.Customer)
    report.fact("personal_fields", "personal fields of Customer", ", ".join(schema.personal_fields))
    report.fact("marketing", "project(anna, 'marketing')", sorted(gk.project(anna, "marketing")))
    report.fact("analytics", "project(anna, 'analytics')", sorted(gk.project(anna, "analytics")))
    try:
        gk.project(anna, "newsletter")
    except gk.UnknownPurpose as exc:
        report.fact("unknown_purpose", "project(anna, 'newsletter')", f"refused: {exc}")


def _objection_section(world: _World) -> None:
    report, ledger, now, anna_ref = world.report, world.ledger, world.now, world.anna_ref
    report.section("objection", "4. Rectification, objection and consent")
    rights.rectify(
        anna_ref, world.sources[0], {"phone": "+46 70 123 45 67"}, at=now, audit=world.audit
    )
    anna = world.anna()
    report.fact("rectified", "Anna's phone after rectify() (Art. 16)", anna.phone)

    def marketing_use() -> str:
        try:
            return "allowed: " + ", ".join(
                sorted(gk.project(anna, "marketing", at=now, guards=[ledger]))
            )
        except gk.Objected:
            return "refused: Objected (Art. 21(3), absolute)"

    report.fact("before", "project(anna, 'marketing') before objecting", marketing_use())
    ledger.object(anna_ref.id, "marketing", at=now)
    report.fact("after", "after Anna objects to marketing", marketing_use())
    report.fact(
        "inactive", "purposes that no longer count for Anna's retention",
        sorted(ledger.inactive_purposes(anna_ref.id, now)),
    )  # fmt: skip
    _cookie_consent(world)


def _cookie_consent(world: _World) -> None:
    report, ledger, now = world.report, world.ledger, world.now
    browser = _BROWSER
    report.fact(
        "cookies_before", "cookies allowed before consent",
        [c.name for c in ledger.allowed_cookies(browser, now)],
    )  # fmt: skip
    ledger.grant(
        browser, ["cookies.analytics"], notice_version=world.policy.version,
        method="cookie dialog: ticked 'Statistik' (unticked by default)", at=now,
        indication=IndicationMethod.TICKED_BOX,
    )  # fmt: skip
    report.fact(
        "cookies_after", "after consent to statistics cookies",
        [c.name for c in ledger.allowed_cookies(browser, now)],
    )  # fmt: skip


def _outcome(run: Callable[[], object]) -> str:
    """What a guarded use came to: "allowed", or "refused: <the error's class>"."""
    try:
        run()
    except gk.ProcessingRefused as exc:
        return f"refused: {type(exc).__name__}"
    return "allowed"


def _records_of(world: _World, table: str, subject: str) -> list[Any]:
    source = next(s for s in world.sources if s.name == table)
    return list(source.records(rights.SubjectRef(kind="customer", id=subject)))


def _restriction_section(world: _World) -> None:
    """Anna contests two days of meter readings: only those are restricted (Art. 18(1)(a))."""
    report, ledger, tz, anna = world.report, world.ledger, world.tz, world.anna_ref.id
    report.section("restriction", "4a. Restriction of what is contested (Art. 18)")
    days = RestrictionScope.period(
        models.MeterReading, "read_at", date(2026, 11, 2), date(2026, 11, 4)
    )
    ledger.restrict(anna, scope=days, at=datetime(2026, 11, 9, 9, tzinfo=tz),
                    reason="18(1)(a): Anna contests her readings of 2-3 November")  # fmt: skip
    report.note("Earlier this month Anna said her meter misread on 2 and 3 November.")
    report.fact("scope", "restricted", "MeterReading.read_at in [2026-11-02, 2026-11-04) Stockholm")
    readings = _records_of(world, "meter_readings", anna)
    checking = datetime(2026, 11, 12, 10, tzinfo=tz)

    def use(reading: object, **kw: Any) -> str:
        return _outcome(lambda: gk.project(reading, "contract", at=checking, guards=[ledger], **kw))

    outcomes = [use(r) for r in readings]
    report.fact(
        "readings", "Anna's readings for the contract",
        f"{outcomes.count('refused: Restricted')} of {len(readings)} restricted, "
        f"{outcomes.count('allowed')} in use",
    )  # fmt: skip
    contested = readings[outcomes.index("refused: Restricted")]
    report.fact("on_ground", "the same, stating legal claims (Art. 18(2))",
                use(contested, ground=gk.RestrictionGround.LEGAL_CLAIMS) + ", audited")  # fmt: skip
    try:
        ledger.lift_restriction(anna, scope=days, at=datetime(2026, 11, 20, 9, tzinfo=tz))
        early = "lifted"
    except gk.SubjectNotInformed:
        early = "refused: SubjectNotInformed (Art. 18(3))"
    report.fact("lift_early", "lifting before telling Anna", early)
    ledger.record_subject_informed(anna, scope=days, method="letter: the readings were correct",
                                   at=datetime(2026, 11, 20, 10, tzinfo=tz))  # fmt: skip
    lifted = ledger.lift_restriction(anna, scope=days, at=datetime(2026, 11, 24, 9, tzinfo=tz))
    assert lifted.lifted_at is not None
    assert lifted.informed_at is not None
    report.fact("lifted", "told, then lifted",
                f"{lifted.informed_at.date()}, then {lifted.lifted_at.date()}")  # fmt: skip
    report.fact("after", "the contested reading after lifting", _outcome(
        lambda: gk.project(contested, "contract", at=lifted.lifted_at, guards=[ledger])))  # fmt: skip


def _assessment_section(world: _World) -> None:
    """Two objections to personalisation assessed (Art. 21(1)): one upheld, one overridden."""
    report, ledger, tz = world.report, world.ledger, world.tz
    report.section("assessment", "4b. Objections assessed (Art. 21(1))")
    anna, bo = world.anna_ref.id, world.ids[1]
    objected, decided = datetime(2026, 11, 2, 10, tzinfo=tz), datetime(2026, 11, 16, 15, tzinfo=tz)
    for who in (anna, bo):
        ledger.object(who, "personalisation", at=objected, grounds="particular situation")
    score = _records_of(world, "churn_scores", anna)[0]
    meanwhile = objected + timedelta(days=3)

    def state(who: str, at: datetime) -> str:
        found = ledger.objection_state(who, "personalisation", at)
        return found.value if isinstance(found, ObjectionState) else "none"

    report.fact("pending", "Anna's objection to personalisation, 3 days on", state(anna, meanwhile))
    report.fact("pending_use", "project(Anna's churn score, 'personalisation') meanwhile",
                _outcome(lambda: gk.project(score, "personalisation", at=meanwhile,
                                            guards=[ledger])) + " (Art. 18(1)(d))")  # fmt: skip
    report.fact("pending_erasable", "personalisation no longer keeps Anna's data",
                "personalisation" in ledger.inactive_purposes(anna, meanwhile))  # fmt: skip
    ledger.uphold_objection(anna, "personalisation", at=decided,
                            reason="her situation outweighs personalised offers")  # fmt: skip
    ledger.record_overriding_grounds(bo, "personalisation", at=decided,
                                     grounds="LIA review: needed to detect meter fraud")  # fmt: skip
    report.fact("anna", "Anna's, after assessment", state(anna, decided))
    report.fact("anna_erasable", "personalisation no longer keeps Anna's data (Art. 17(1)(c))",
                "personalisation" in ledger.inactive_purposes(anna, decided))  # fmt: skip
    report.fact("bo", f"{bo}'s, after compelling grounds were recorded", state(bo, decided))
    try:
        ledger.record_overriding_grounds(anna, "marketing", at=world.now, grounds="we insist")
        marketing = "recorded"
    except gk.LedgerError:
        marketing = "refused: LedgerError (Art. 21(3), absolute)"
    report.fact("marketing_grounds", "grounds against Anna's marketing objection", marketing)


def _retention_section(world: _World) -> Facts:
    report, now, tz = world.report, world.now, world.tz
    report.section("retention", "5. Retention: Anna's contract ended on 2025-06-30")
    facts = service.facts_for(world.conn, world.anna_ref.id)
    report.fact("facts", "facts", {k: str(v) for k, v in facts.items()})
    verdicts = retention.evaluate_object(world.anna(), facts, now)
    report.table(
        "customer_fields",
        ("field", "status", "erasable from", "kept for", "why"),
        [
            (
                v.field,
                v.status.value,
                v.expires_at.date().isoformat() if v.expires_at else "-",
                v.purpose or "-",
                _short(v.legal_reference or v.reason, 48),
            )
            for v in verdicts.fields
        ],
    )
    book = world.policy.purposes["bookkeeping"].retention
    assert book is not None
    sql, params = retention.sql_predicate(book, now, tz=tz, column="fiscal_year_end")
    expired = world.conn.execute(f"SELECT count(*) FROM invoices WHERE {sql}", params)
    report.fact(
        "sweep", "invoices past Bokföringslagen retention", f"{expired.fetchone()[0]} (WHERE {sql})"
    )
    return facts


def _pseudonym_section(world: _World) -> None:
    report, keyring, now, anna = world.report, world.keyring, world.now, world.anna()
    report.section("pseudonyms", "6. Pseudonymization and crypto-shredding")
    tokens = pseudonym.Pseudonymizer(
        keyring, domain="analytics", normalizer=pseudonym.normalize_email
    )
    report.fact("token", "token of Anna's e-mail (analytics)", tokens.token(anna.email))
    sealer = pseudonym.Sealer(keyring, domain="support")
    sealed = sealer.seal(anna.phone)
    report.fact("sealed", "sealed phone number (support)", sealed[:40] + "...")
    report.fact(
        "unsealed_matches", "unseal(seal(phone)) == phone", sealer.unseal(sealed) == anna.phone
    )
    third = world.ids[2]
    keys = pseudonym.SubjectKeys(world.store, keyring)
    ciphertext = keys.encrypt(third, "message", "Ring mig efter 17, tack!")
    keys.shred(third, at=now)
    try:
        keys.decrypt(third, "message", ciphertext)
        shredded = "still readable"
    except gk.SubjectShredded:
        shredded = "unreadable: SubjectShredded"
    report.fact("shredded", f"{third}'s support note after shred()", shredded)
    world.audit.record("subject.shredded", at=now, actor="demo", subject=third)


def _analytics_section(world: _World) -> None:
    report = world.report
    report.section("analytics", "7. Anonymized analytics table")
    generalization = service.analytics_generalization()
    qis = generalization.columns
    rows = list(generalization.apply(service.analytics_rows(world.conn)))
    kept, suppression = anonymize.enforce_k(rows, qis, 5)
    report.fact("columns", "columns", ", ".join(qis))
    report.fact("k_before", "k before suppression", suppression.k_before)
    report.fact(
        "suppressed", "rows suppressed for k >= 5", f"{suppression.rows_suppressed} of {len(rows)}"
    )
    report.fact("k_after", "measured k", anonymize.k_anonymity(kept, qis))
    report.table("sample", qis, [tuple(r[c] for c in qis) for r in kept[:4]])


def _export_section(world: _World, facts: Facts) -> None:
    report, register, now, anna_ref = world.report, world.register, world.now, world.anna_ref
    report.section("export", "8. Access and portability requests")
    access = register.receive(
        RequestKind.ACCESS, "customer", anna_ref.id, received_at=now, channel="e-mail"
    )
    report.fact("due", "access request received, due (Art. 12(3))", access.due.isoformat())
    register.verify(access.id, at=now)
    for scope in ("access", "portability"):
        _export_package(world, scope, facts)
    done = register.complete(access.id, at=now, note="package sent")
    report.fact("request_state", "access request", done.state.value)


def _export_package(world: _World, scope: Literal["access", "portability"], facts: Facts) -> None:
    """Write one package and its page beside the store, and report what went into it."""
    report, anna_ref, folder = world.report, world.anna_ref, world.folder
    out = folder / f"{anna_ref.id}-{scope}.zip"
    result = rights.export_subject(
        anna_ref, world.sources, world.policy, scope=scope, at=world.now, out=out, facts=facts,
        audit=world.audit,
    )  # fmt: skip
    rights.verify_package(out)
    page = folder / f"{anna_ref.id}-{scope}-index.html"
    with zipfile.ZipFile(out) as zf, _private(page) as fh:
        fh.write(zf.read("index.html"))  # Anna's data, readable by the owner alone, as the ZIP
    left_out = sorted(
        {f"{k['record_kind']}.{x['field']}" for k in result.manifest["record_kinds"]
         for x in k["excluded_fields"]}
    )  # fmt: skip
    report.fact(f"{scope}_zip", f"{scope} package", str(out))
    report.fact(f"{scope}_html", f"{scope} page", str(page))
    report.fact(f"{scope}_rows", f"{scope} rows", result.rows)
    if scope == "portability":
        report.fact("left_out", "left out of portability (derived, not contract)", len(left_out))


def _erasure_section(world: _World, facts: Facts) -> None:
    report, sources, policy, now = world.report, world.sources, world.policy, world.now
    anna_ref = world.anna_ref
    report.section("erasure", "9. Erasure that keeps the bookkeeping data")
    plan = rights.plan_erasure(anna_ref, sources, policy, facts, now)
    receipt = rights.execute_erasure(plan, sources, audit=world.audit, ledger=world.ledger)
    report.fact("changed", "records changed", receipt.total_changed)
    kept_until = sorted(
        {
            (i.source, i.field, i.until.date().isoformat() if i.until else "review")
            for i in receipt.retained
        }
    )
    report.table("retained", ("source", "field", "kept until"), kept_until)
    again = rights.execute_erasure(
        rights.plan_erasure(anna_ref, sources, policy, facts, now), sources
    )
    report.fact("rerun", "records changed by a second run", again.total_changed)
    report.fact("recipients", "recipients to notify (Art. 19)", [r.id for r in receipt.recipients])
    try:
        gk.project(world.anna(), "contract", at=now, guards=[world.ledger])
        restricted = "allowed"
    except gk.Restricted:
        restricted = "refused: Restricted (Art. 18); only bookkeeping may use what stays"
    report.fact("restricted", "project(anna, 'contract') after erasure", restricted)


def _audit_section(world: _World) -> None:
    report = world.report
    report.section("audit", "10. The audit log")
    head = world.audit.verify()
    report.fact("entries", "entries", head.seq if head else 0)
    report.fact("head", "verified head", str(head))


def _private(path: Path) -> BinaryIO:
    """``path`` opened for writing, created readable and writable by its owner only."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def _short(text: str, width: int = 64) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _policy_section(report: Report, policy: Policy, folder: Path) -> None:
    report.section("policy", "1. Elveta's privacy policy, loaded and validated")
    report.fact("controller", "controller", policy.controller.name)
    report.fact("version", "version", policy.version)
    report.fact("timezone", "time zone", str(policy.timezone))
    report.fact("folder", "working folder", str(folder))
    report.table(
        "purposes",
        ("purpose", "legal basis", "article", "retention"),
        [
            (p.id, p.basis.label("en"), p.basis.article, p.retention_words("en") or "-")
            for p in policy.purposes.values()
        ],
    )
    report.table(
        "cookies",
        ("cookie", "purpose", "lifetime", "needs consent"),
        [
            (c.name, c.purpose, lifetime_words(c, "en"), "no" if c.strictly_necessary else "yes")
            for c in policy.cookies
        ],
    )


def _folder_section(world: _World) -> None:
    """Where the demo's files are: kept, so that the packages can be opened afterwards."""
    report, folder = world.report, world.folder
    report.section("folder", "11. What the demo wrote, and where")
    report.fact("folder", "folder (kept)", str(folder))
    what = {
        "elveta.db": "Elveta's service database (SQLite)",
        "gdprkit.db": "gdprkit's store: keyring, ledgers, requests, audit log",
        "gdprkit.kek": "the key-encryption key that wraps the keyring in gdprkit.db",
        f"{_ANNA}-access.zip": "Anna's access package (Art. 15)",
        f"{_ANNA}-access-index.html": "its page, the one Anna reads; open it in a browser",
        f"{_ANNA}-portability.zip": "Anna's portability package (Art. 20)",
        f"{_ANNA}-portability-index.html": "its page",
    }
    report.table("files", ("file", "what"), [(n, what[n]) for n in WRITTEN])
    report.note("Run the demo again with --dir on this folder and it starts afresh here.")

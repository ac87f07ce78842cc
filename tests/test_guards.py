"""The guards ``project()`` runs: installed for the whole process, overridden per context, and
never absent silently where consent must be checked (issue 11, point 1; GDPR Art. 6(1)(a), 9(2)(a)).

Installed guards hold in every thread, thread pool and asyncio task, also those started
before the guards were installed; ``using_guards()`` overrides them in one context only.
With no guard anywhere, a purpose that needs consent fails closed with ``NoGuard``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import gdprkit as gk
from gdprkit.consent import IndicationMethod, Ledger
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Refuses:
    """A guard that refuses every purpose, so a run shows whether it was consulted."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def check(self, obj: object, schema: gk.Schema, purpose: str, at: datetime | None) -> None:
        self.calls.append(purpose)
        raise gk.Objected(f"refused {purpose!r} (test guard)")


@pytest.fixture
def Member(minimal: gk.Policy) -> type[Any]:
    @gk.personal_data(subject="customer", policy=minimal)
    @attrs.frozen
    class Member:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("service",), identifies=True
        )
        email: str = gk.pd_field(category="contact.email", purposes=("service", "news"))
        pulse: str = gk.pd_field(category="health", purposes=("care",))
        oxygen: str = gk.pd_field(
            category="health", purposes=("service",), condition="9(2)(a)", default="none"
        )

    return Member


def _outcome(run: Callable[[], object]) -> str:
    try:
        run()
    except gk.ProcessingRefused as exc:
        return type(exc).__name__
    return "allowed"


# --------------------------------------------------------------------------- where guards hold


def _in_thread_started_after(call: Callable[[], str]) -> str:
    out: list[str] = []
    thread = threading.Thread(target=lambda: out.append(call()))
    thread.start()
    thread.join()
    return out[0]


def _in_a_pool(call: Callable[[], str]) -> str:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return pool.submit(call).result()


async def _as_task(call: Callable[[], str]) -> str:
    async def run() -> str:
        return call()

    return await asyncio.create_task(run())


def _in_an_asyncio_task(call: Callable[[], str]) -> str:
    async def main() -> str:
        return await asyncio.create_task(asyncio.to_thread(call))

    return asyncio.run(main())


@pytest.mark.parametrize(
    "runner",
    [
        pytest.param(lambda call: call(), id="the installing thread"),
        pytest.param(_in_thread_started_after, id="a threading.Thread started afterwards"),
        pytest.param(_in_a_pool, id="a ThreadPoolExecutor worker"),
        pytest.param(lambda call: asyncio.run(_as_task(call)), id="an asyncio task"),
        pytest.param(_in_an_asyncio_task, id="an asyncio task running in a worker thread"),
    ],
)
def test_installed_guards_hold_wherever_project_runs(
    Member: type[Any], runner: Callable[[Callable[[], str]], str]
) -> None:
    guard = Refuses()
    gk.install_guards(guard)
    member = Member("C-1", "a@example.se", "72")
    assert runner(lambda: _outcome(lambda: gk.project(member, "news"))) == "Objected"
    assert guard.calls == ["news"]


def test_installed_guards_reach_threads_and_tasks_started_before_the_install(
    Member: type[Any],
) -> None:
    member = Member("C-1", "a@example.se", "72")
    installed = threading.Event()
    seen: dict[str, str] = {}

    def worker(name: str) -> None:
        installed.wait(timeout=10)
        seen[name] = _outcome(lambda: gk.project(member, "news"))

    async def task() -> None:
        while not installed.is_set():  # the task exists (and its context was copied) before
            await asyncio.sleep(0.001)
        seen["asyncio task"] = _outcome(lambda: gk.project(member, "news"))

    async def main() -> None:
        early = asyncio.create_task(task())
        await asyncio.sleep(0)
        gk.install_guards(Refuses())
        installed.set()
        await early

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: None).result()  # the worker thread is up before the install
        pooled = pool.submit(worker, "pool worker")
        thread = threading.Thread(target=worker, args=("thread",))
        thread.start()
        asyncio.run(main())
        thread.join()
        pooled.result()
    assert seen == {"thread": "Objected", "pool worker": "Objected", "asyncio task": "Objected"}


def test_using_guards_overrides_this_context_and_its_tasks_but_not_new_threads(
    Member: type[Any],
) -> None:
    installed, override = Refuses(), Refuses()
    gk.install_guards(installed)
    member = Member("C-1", "a@example.se", "72")

    async def in_task() -> str:
        return _outcome(lambda: gk.project(member, "news"))

    with gk.using_guards(override):
        _outcome(lambda: gk.project(member, "news"))
        asyncio.run(in_task())  # asyncio.run copies this context: the override holds
        _in_thread_started_after(lambda: _outcome(lambda: gk.project(member, "news")))
    assert override.calls == ["news", "news"]
    assert installed.calls == ["news"]  # the thread saw the process-wide guards
    with gk.using_guards():  # no guard: the block states it checked consent itself
        assert gk.project(member, "care") == {"pulse": "72"}
    _outcome(lambda: gk.project(member, "news"))
    assert installed.calls == ["news", "news"]  # the block ended


def test_installing_again_replaces_and_installing_none_removes(Member: type[Any]) -> None:
    first, second = Refuses(), Refuses()
    member = Member("C-1", "a@example.se", "72")
    gk.install_guards(first)
    gk.install_guards(second)
    assert _outcome(lambda: gk.project(member, "news")) == "Objected"
    assert (first.calls, second.calls) == ([], ["news"])
    gk.install_guards()
    assert gk.project(member, "news") == {"email": "a@example.se"}
    with pytest.raises(gk.NoGuard):
        gk.project(member, "care")


@pytest.mark.parametrize(
    "guard", [object(), "ledger", None, [Refuses()]], ids=["object", "str", "None", "a list"]
)
def test_every_way_to_name_guards_refuses_what_is_no_guard(
    Member: type[Any], guard: object
) -> None:
    """``using_guards([ledger])`` instead of ``using_guards(ledger)`` is refused where it is
    written, as a TypeError naming the mistake, not an AttributeError at the first project()."""
    member = Member("C-1", "a@example.se", "72")
    with pytest.raises(TypeError, match=r"check\(\)"):
        gk.install_guards(guard)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"check\(\)"), gk.using_guards(guard):  # type: ignore[arg-type]
        pass
    with pytest.raises(TypeError, match=r"check\(\)"):
        gk.project(member, "news", guards=[guard])  # type: ignore[list-item]


# --------------------------------------------------------------------------- failing closed


@pytest.mark.parametrize(
    ("purpose", "guards", "expected"),
    [
        pytest.param("care", None, "NoGuard", id="consent basis, no guard anywhere: refused"),
        pytest.param("service", None, "NoGuard",
                     id="contract basis but a field on explicit consent 9(2)(a): refused"),
        pytest.param("news", None, "allowed",
                     id="legitimate interests, no guard: purpose limitation only"),
        pytest.param("care", (), "allowed", id="guards=() states consent was checked"),
        pytest.param("service", (), "allowed", id="guards=() for explicit consent too"),
    ],
)  # fmt: skip
def test_a_purpose_that_needs_consent_never_passes_unchecked(
    Member: type[Any], purpose: str, guards: tuple[gk.tagging.Guard, ...] | None, expected: str
) -> None:
    member = Member("C-1", "anna@example.se", "72", "concentrator")
    assert _outcome(lambda: gk.project(member, purpose, guards=guards)) == expected


def test_no_guard_names_the_purpose_the_article_and_the_remedies(Member: type[Any]) -> None:
    member = Member("C-1042", "anna@example.se", "72", "concentrator")
    with pytest.raises(gk.NoGuard) as care:
        gk.project(member, "care")
    text = str(care.value)
    assert "'care'" in text and "6(1)(a)" in text
    assert "install_guards" in text and "guards=()" in text
    with pytest.raises(gk.NoGuard, match=r"Member\.oxygen .*9\(2\)\(a\)"):
        gk.project(member, "service")
    for value in ("C-1042", "anna@example.se", "concentrator"):
        assert value not in text
    assert isinstance(care.value, gk.ProcessingRefused)


def test_a_class_without_policy_fails_closed_on_its_own_explicit_consent_fields() -> None:
    @gk.personal_data(subject="patient")
    @attrs.frozen
    class Reading:
        value: str = gk.pd_field(category="health", purposes=("care",), condition="a")
        note: str = gk.pd_field(category="contact.email", purposes=("contact",))

    reading = Reading("72", "a@example.se")
    with pytest.raises(gk.NoGuard, match=r"Reading\.value"):
        gk.project(reading, "care")
    assert gk.project(reading, "contact") == {"note": "a@example.se"}  # no basis known


def test_with_the_ledger_installed_consent_is_checked_in_a_worker_thread(
    Member: type[Any], minimal: gk.Policy, tmp_path: Path
) -> None:
    with SQLiteStore(tmp_path / "g.db") as store:
        ledger = Ledger(
            store, minimal, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="consent")
        )
        gk.install_guards(ledger)
        member = Member("C-1", "a@example.se", "72")

        def care() -> str:
            return _outcome(lambda: gk.project(member, "care", at=T0))

        assert _in_a_pool(care) == "ConsentRequired"
        ledger.grant(
            "C-1", ["care"], notice_version="v1", method="signed form at the clinic",
            indication=IndicationMethod.SIGNED_STATEMENT, at=T0,
        )  # fmt: skip
        assert _in_a_pool(care) == "allowed"


# --------------------------------------------------------------------------- stating a ground


def test_a_ground_reaches_only_guards_that_weigh_it(Member: type[Any]) -> None:
    plain = Refuses()
    member = Member("C-1", "a@example.se", "72")
    # a guard that knows nothing of Art. 18(2) is asked as if no ground were stated
    with pytest.raises(gk.Objected):
        gk.project(member, "news", guards=[plain], ground=gk.RestrictionGround.LEGAL_CLAIMS)
    assert plain.calls == ["news"]

    class Weighs(Refuses):
        def check_with_ground(
            self, obj: object, schema: gk.Schema, purpose: str, at: datetime | None,
            ground: gk.RestrictionGround,
        ) -> None:  # fmt: skip
            self.calls.append(f"{purpose} on {ground.value}")

    weighs = Weighs()
    assert isinstance(weighs, gk.tagging.GroundedGuard)
    assert gk.project(member, "news", guards=[weighs], ground=gk.RestrictionGround.LEGAL_CLAIMS)
    assert weighs.calls == ["news on legal_claims"]
    with pytest.raises(TypeError, match="ground"):
        gk.project(member, "news", guards=[weighs], ground="legal_claims")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ground", "en", "sv"),
    [
        (gk.RestrictionGround.CONSENT, "consent", "samtycke"),
        (gk.RestrictionGround.LEGAL_CLAIMS, "legal claims", "rättsliga anspråk"),
        (gk.RestrictionGround.RIGHTS_OF_OTHERS, "rights of another", "rättigheter"),
        (gk.RestrictionGround.PUBLIC_INTEREST, "important public interest", "allmänt intresse"),
    ],
    ids=lambda v: v.value if isinstance(v, gk.RestrictionGround) else None,
)
def test_restriction_grounds_are_the_four_of_art_18_2(
    ground: gk.RestrictionGround, en: str, sv: str
) -> None:
    assert ground.article == "18(2)"
    assert en in ground.label("en") and sv in ground.label("sv")
    assert len(gk.RestrictionGround) == 4


# --------------------------------------------------------------------------- Art. 9(2)(a)


@pytest.fixture
def explicit(minimal_dict: dict[str, Any]) -> gk.Policy:
    """The small policy with a contract purpose whose health data rests on explicit consent."""
    minimal_dict["purposes"]["coaching"] = {
        "name": {"sv": "Träning", "en": "Coaching"},
        "description": {"sv": "Träningsplan.", "en": "Training plan."},
        "basis": "contract",
        "special_condition": "9(2)(a)",
        "categories": ["health"],
    }
    return gk.Policy.from_dict(minimal_dict, source="explicit.toml")


@pytest.mark.parametrize("installed", [True, False], ids=["installed", "passed as guards="])
def test_the_ledger_checks_explicit_consent_for_special_data_under_another_basis(
    explicit: gk.Policy, tmp_path: Path, installed: bool
) -> None:
    """Art. 9(2)(a): special-category data on explicit consent needs that consent, whatever the
    purpose's Art. 6 basis; the ledger that project() names as the remedy must check it."""

    @gk.personal_data(subject="customer", policy=explicit)
    @attrs.frozen
    class Athlete:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("coaching", "service"), identifies=True
        )
        pulse: str = gk.pd_field(category="health", purposes=("coaching",))
        allergy: str = gk.pd_field(
            category="health", purposes=("service",), condition="9(2)(a)", default="none"
        )

    with SQLiteStore(tmp_path / "g.db") as store:
        ledger = Ledger(
            store, explicit, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="consent")
        )
        guards: tuple[Ledger, ...] | None = (ledger,)
        if installed:
            gk.install_guards(ledger)
            guards = None
        athlete = Athlete("C-1", "72", "nuts")

        def use(purpose: str, at: datetime = T0) -> str:
            return _outcome(lambda: gk.project(athlete, purpose, at=at, guards=guards))

        assert use("coaching") == "ConsentRequired"
        with pytest.raises(gk.ConsentRequired, match=r"Athlete\.pulse.*9\(2\)\(a\)"):
            gk.project(athlete, "coaching", at=T0, guards=guards)
        ledger.grant(
            "C-1", ["coaching"], notice_version="v1", method="signed form",
            indication=IndicationMethod.SIGNED_STATEMENT, at=T0,
        )  # fmt: skip
        assert use("coaching") == "allowed"
        ledger.withdraw("C-1", ["coaching"], method="settings page", at=T0 + timedelta(days=1))
        assert use("coaching", T0 + timedelta(days=2)) == "ConsentRequired"
        assert use("coaching") == "allowed"  # a withdrawal does not reach back (Art. 7(3))
        # a field's own condition: no consent to it can be recorded, so it never passes unchecked
        assert use("service") == "ConsentRequired"
        with pytest.raises(gk.LedgerError, match="not on consent"):
            ledger.grant(
                "C-1", ["service"], notice_version="v1", method="signed form",
                indication=IndicationMethod.SIGNED_STATEMENT, at=T0,
            )  # fmt: skip

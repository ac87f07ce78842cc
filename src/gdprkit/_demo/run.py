"""``python -m gdprkit demo``: the Elveta walkthrough, on a store in a temporary folder."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from gdprkit._term import Terminal


class Report:
    """Prints the walkthrough for people, or collects the same facts for ``--json``."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.term = Terminal()
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


def run_demo(*, directory: str | None = None, as_json: bool = False) -> int:
    """Run the Elveta story and print it; returns the exit status."""
    with ExitStack() as stack:
        if directory is None:
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="gdprkit-demo-"))
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        report = Report(as_json)
        _walkthrough(report, folder)
        if as_json:
            print(json.dumps(report.facts, ensure_ascii=False, indent=2, default=str))
    return 0


def _walkthrough(report: Report, folder: Path) -> None:
    import gdprkit as gk
    from gdprkit._demo import models

    policy = models.policy
    tz = policy.timezone

    report.section("policy", "1. Elveta's privacy policy, loaded and validated")
    report.fact("controller", "controller", policy.controller.name)
    report.fact("version", "version", policy.version)
    report.fact("timezone", "time zone", str(tz))
    report.fact("folder", "working folder", str(folder))
    report.table(
        "purposes",
        ("purpose", "name", "legal basis", "article", "retention"),
        [
            (
                p.id,
                p.name.get("en"),
                p.basis.label("en"),
                p.basis.article,
                p.retention_words("en") or "-",
            )
            for p in policy.purposes.values()
        ],
    )
    report.table(
        "cookies",
        ("cookie", "purpose", "lifetime", "needs consent"),
        [
            (c.name, c.purpose, c.lifetime or "session", "no" if c.strictly_necessary else "yes")
            for c in policy.cookies
        ],
    )

    report.section("projection", "2. Purpose limitation: what marketing may see")
    anna = models.Customer(
        customer_id="C-1042",
        name="Anna Berg",
        email="anna.berg@example.se",
        phone="+46 70 000 00 00",
        street="Storgatan 1",
        postcode="183 30",
        city="Täby",
        dwelling="house",
        area_m2=142,
        heating="heat pump",
        heat_pump="NIBE S1255",
    )
    schema = gk.schema_of(models.Customer)
    report.fact("personal_fields", "personal fields of Customer", ", ".join(schema.personal_fields))
    report.fact(
        "marketing_fields", "project(customer, 'marketing')", sorted(gk.project(anna, "marketing"))
    )
    report.fact(
        "analytics_fields", "project(customer, 'analytics')", sorted(gk.project(anna, "analytics"))
    )
    try:
        gk.project(anna, "newsletter")
    except gk.UnknownPurpose as exc:
        report.fact("unknown_purpose", "project(customer, 'newsletter')", f"refused: {exc}")

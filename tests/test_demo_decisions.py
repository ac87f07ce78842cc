"""The demo shows a scoped restriction (Art. 18) and objections assessed (Art. 21(1)).

Its clock is fixed, so the figures are worked out from the seeded data: Anna's
meter is read hourly from 1 November 2026 00:00 UTC for a week (168 readings);
she contests 2 and 3 November, Stockholm time: 48 readings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gdprkit.cli import main


def test_demo_restricts_only_the_contested_readings_and_assesses_objections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--dir", str(tmp_path), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    restriction = facts["restriction"]
    assert restriction["readings"] == "48 of 168 restricted, 120 in use"
    assert restriction["on_ground"] == "allowed, audited"
    assert restriction["lift_early"] == "refused: SubjectNotInformed (Art. 18(3))"
    assert restriction["lifted"] == "2026-11-20, then 2026-11-24"
    assert restriction["after"] == "allowed"
    assessment = facts["assessment"]
    assert assessment["pending"] == "pending_assessment"
    assert assessment["pending_use"] == "refused: ObjectionPending (Art. 18(1)(d))"
    assert assessment["pending_erasable"] is False  # Art. 17(1)(c) waits for the assessment
    assert (assessment["anna"], assessment["anna_erasable"]) == ("upheld", True)
    assert assessment["bo"] == "overridden"
    assert assessment["marketing_grounds"].startswith("refused: LedgerError")
    # the rest of the story is unchanged by the new sections
    assert facts["objection"]["inactive"] == ["marketing"]
    assert facts["erasure"]["restricted"].startswith("refused: Restricted")

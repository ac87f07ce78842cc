"""python -m gdprkit demo: the Elveta walkthrough runs end to end and says what it did."""

from __future__ import annotations

import json
import subprocess
import sys

from gdprkit.cli import main


def test_demo_json_facts(tmp_path, capsys):
    assert main(["demo", "--dir", str(tmp_path), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["policy"]["controller"] == "Picofrost AB"
    assert len(facts["policy"]["purposes"]) == 8
    assert facts["projection"]["marketing"] == ["email", "name"]
    fields = {f["field"]: f for f in facts["retention"]["customer_fields"]}
    assert fields["name"]["erasable from"] == "2033-01-01"
    assert fields["email"]["erasable from"] == "2027-07-01"
    assert facts["pseudonyms"]["shredded"].endswith("SubjectShredded")
    assert facts["analytics"]["k_after"] >= 5
    assert (tmp_path / "C-1042-access.zip").exists()
    assert (tmp_path / "C-1042-portability-index.html").exists()
    assert facts["erasure"]["rerun"] == 0
    assert {r["kept until"] for r in facts["erasure"]["retained"]} == {"2032-01-01", "2033-01-01"}
    assert facts["audit"]["entries"] >= 4
    assert facts["objection"]["after"].startswith("refused: Objected")
    assert facts["objection"]["before"] == "allowed: email, name"
    assert "_elveta_stats" not in facts["objection"]["cookies_before"]
    assert "_elveta_stats" in facts["objection"]["cookies_after"]
    assert facts["export"]["due"] == "2026-12-28"
    assert facts["erasure"]["restricted"].startswith("refused: Restricted")


def test_demo_prints_headings_without_colour_when_piped():
    proc = subprocess.run(
        [sys.executable, "-m", "gdprkit", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1. Elveta's privacy policy, loaded and validated" in proc.stdout
    assert "10. The audit log" in proc.stdout
    assert "\x1b[" not in proc.stdout

"""Hostile or broken input becomes a typed gdprkit error that names where, never the value.

Issue 11, point 4: a policy file that is not UTF-8, nesting deep enough to
exhaust Python's stack, a retention ``action`` that is a list, a time zone
that is a folder of the tz database; and errors whose message hides a value
must not keep it reachable as ``__context__`` either (``raise ... from None``
only hides the context from tracebacks: the object still holds it).
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import service
from gdprkit.retention import rule_from_mapping

from .conftest import ELVETA_POLICY

SECRET = "anna.berg@example.se"


def _elveta_text() -> str:
    return ELVETA_POLICY.read_text(encoding="utf-8")


def _nested_then(levels: int) -> dict[str, Any]:
    rule: dict[str, Any] = {"kind": "anonymized_only"}
    for _ in range(levels):
        rule = {"kind": "while_active", "event": "contract_ended", "then": rule}
    return rule


def _nested_max_of(levels: int) -> dict[str, Any]:
    rule: dict[str, Any] = {"kind": "after", "event": "contract_ended", "period": "P1Y"}
    for _ in range(levels):
        rule = {"kind": "max_of", "rules": [rule]}
    return rule


# -- the policy file ----------------------------------------------------------------------------


def test_a_policy_file_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    text = _elveta_text()
    line = text[: text.index("Direktkunder")].count("\n") + 1
    path = tmp_path / "latin1.toml"
    # one word saved in Latin-1 inside an otherwise UTF-8 file, as an editor might
    path.write_bytes(text.encode().replace(b"Direktkunder", "Direktkunder för".encode("latin-1")))
    with pytest.raises(gk.PolicyError) as info:
        gk.Policy.from_toml(path)
    (problem,) = info.value.problems
    column = len(text.splitlines()[line - 1].split("Direktkunder")[0]) + len("Direktkunder f") + 1
    assert problem.location == f"{path}: line {line}, column {column}"
    assert "not UTF-8" in problem.message
    assert info.value.__context__ is None


@pytest.mark.parametrize(
    "tail",
    [
        "deep = " + "[" * 100_000 + "]" * 100_000,
        "deep = " + "{a = " * 100_000 + "1" + "}" * 100_000,
    ],
    ids=["arrays nested 100,000 deep", "inline tables nested 100,000 deep"],
)
def test_toml_nested_past_the_stack_is_a_policy_error(tmp_path: Path, tail: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(f"{tail}\n{_elveta_text()}", encoding="utf-8")
    with pytest.raises(gk.PolicyError, match="nest too deeply") as info:
        gk.Policy.from_toml(path)
    assert info.value.problems[0].location == str(path)


def test_a_deep_then_chain_in_the_policy_file_names_its_key(tmp_path: Path) -> None:
    """Forty levels parse in TOML; the rule reader stops at its own limit, with the key path."""
    then = '{kind = "anonymized_only"}'
    for _ in range(40):
        then = f'{{kind = "while_active", event = "contract_ended", then = {then}}}'
    crm = 'then = { kind = "after", event = "contract_ended", period = "P24M" }'
    assert _elveta_text().count(crm) == 1
    path = tmp_path / "deep-then.toml"
    path.write_text(_elveta_text().replace(crm, f"then = {then}"), encoding="utf-8")
    with pytest.raises(gk.PolicyError, match="nest more than 32 levels") as info:
        gk.Policy.from_toml(path)
    (problem,) = info.value.problems
    assert problem.location.startswith(f"{path}: purposes.crm.retention.then.then.then")


@pytest.mark.parametrize(
    "rule",
    [_nested_then(33), _nested_then(5000), _nested_max_of(5000)],
    ids=["then chain one level too deep", "then chain 5000 deep", "max_of 5000 deep"],
)
def test_retention_rules_nested_too_deep_are_refused(rule: dict[str, Any]) -> None:
    with pytest.raises(gk.PolicyError, match="nest more than 32 levels deep") as info:
        rule_from_mapping(rule, location="policy.toml: purposes.crm.retention")
    assert info.value.problems[0].location.startswith("policy.toml: purposes.crm.retention.")


def test_thirty_two_levels_of_then_are_a_valid_rule() -> None:
    rule = rule_from_mapping(_nested_then(32), location="here")
    depth = 0
    while isinstance(rule, gk.retention.WhileActive):
        rule, depth = rule.then, depth + 1
    assert depth == 32


@pytest.mark.parametrize(
    "action",
    [["erase"], {"erase": True}, 1, True],
    ids=["a list", "a table", "a number", "a boolean"],
)
def test_a_retention_action_that_is_not_text_is_a_policy_error(action: object) -> None:
    table = {"kind": "after", "event": "contract_ended", "period": "P2Y", "action": action}
    with pytest.raises(gk.PolicyError) as info:
        rule_from_mapping(table, location="purposes.crm.retention")
    (problem,) = info.value.problems
    assert problem.location == "purposes.crm.retention.action"
    assert problem.message == "must be 'erase' or 'anonymize'"


# -- errors that hide a value keep no way back to it -------------------------------------------


def test_a_bad_column_value_leaves_no_context(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "service.db")
    service.create_schema(conn)
    service.seed(conn, customers=1, hours=1)
    conn.execute("UPDATE contracts SET started_on = ?", (SECRET,))
    (source,) = [s for s in service.sources(conn) if s.name == "contracts"]
    with pytest.raises(gk.SourceError, match="holds a value that is not of type date") as info:
        list(source.records(rights.SubjectRef(kind="customer", id="C-1042")))
    conn.close()
    assert SECRET not in str(info.value)
    assert info.value.__context__ is None
    assert info.value.__cause__ is None


def test_a_manifest_that_is_not_json_leaves_no_context(tmp_path: Path) -> None:
    path = tmp_path / "package.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"subject": {"id": SECRET}})[:-3])
    with pytest.raises(gk.PackageIntegrityError, match="not valid JSON") as info:
        rights.verify_package(path)
    assert info.value.__context__ is None

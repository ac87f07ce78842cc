"""Type-checked with mypy --strict, never run: what a facade re-exports besides its API.

The gdprkit names a public module held before it became a facade are written
``from x import Name as Name``, so a strict type checker accepts importing them
from there. The standard library's and typing's names such a module once
exposed, and the type variables of its signatures, are not gdprkit's and are gone.
"""

from __future__ import annotations

from datetime import date, datetime

from typing_extensions import assert_type

from gdprkit import _errors, _util, anonymize, retention, timecalc
from gdprkit.anonymize import FrozenMap
from gdprkit.policy import PolicyError
from gdprkit.retention import Period, period_end
from gdprkit.tagging import UnknownPurpose

assert_type(FrozenMap({"a": 1}), _util.FrozenMap[str, int])
assert_type(period_end(date(2026, 1, 31), Period(months=1), tz=timecalc.STOCKHOLM), datetime)
assert_type(PolicyError("bad"), _errors.PolicyError)
assert_type(UnknownPurpose("x", known=()), _errors.UnknownPurpose)

retention.itertools  # type: ignore[attr-defined]
retention.datetime  # type: ignore[attr-defined]
anonymize.RowT  # type: ignore[attr-defined]

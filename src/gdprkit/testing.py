"""Helpers for a service's own test suite.

:func:`assert_classified` is the classification gate as a test assertion::

    def test_every_field_is_classified() -> None:
        assert_classified("elveta_service.models", "elveta_service.api")
"""

from __future__ import annotations

from types import ModuleType

from gdprkit._tagging.classify import Classification, classify

__all__ = ["assert_classified"]


def assert_classified(*targets: ModuleType | type | str) -> Classification:
    """Assert that every field of the given models is tagged or declared ``NotPersonal``.

    ``targets`` are model classes, modules or module names, as for
    :func:`gdprkit.check_classified`. The assertion message lists every
    unclassified field as ``module.Class.field``; finding no model at all
    fails too. Returns the :class:`~gdprkit.Classification`.
    """
    __tracebackhide__ = True  # pytest: show the caller's line, not this one
    report = classify(*targets)
    if not report.models:
        raise AssertionError("no model class found to check in " + ", ".join(map(_name, targets)))
    if not report.ok:
        raise AssertionError("fields not classified as personal data or not:\n" + str(report))
    return report


def _name(target: object) -> str:
    return str(getattr(target, "__name__", target))

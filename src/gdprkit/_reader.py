"""Read nested TOML-like mappings while collecting every problem with its key path."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import TypeVar

from gdprkit._errors import PolicyError, PolicyProblem

T = TypeVar("T")

_MISSING = object()


class Problems:
    """A collector of :class:`PolicyProblem`; raises them all at once."""

    def __init__(self, source: str = "") -> None:
        self.source = source
        self.items: list[PolicyProblem] = []

    def where(self, path: str) -> str:
        """The location text for a key path: ``file: a.b.c``."""
        if self.source and path:
            return f"{self.source}: {path}"
        return self.source or path

    def add(self, path: str, message: str) -> None:
        """Record one problem at ``path``."""
        self.items.append(PolicyProblem(self.where(path), message))

    def extend(self, problems: Iterable[PolicyProblem]) -> None:
        """Record problems found by another reader (already located)."""
        self.items.extend(problems)

    def raise_if_any(self) -> None:
        """Raise one :class:`PolicyError` listing every problem, if there are any."""
        if self.items:
            raise PolicyError(self.items)


class Reader:
    """A view of one table at ``path`` that records problems instead of raising.

    With ``none_is_absent`` a key mapped to ``None`` reads as absent (mappings
    built in Python, such as a retention rule, where ``None`` means "not
    given"); :meth:`has` and :meth:`raw` still see the key. TOML has no null,
    so for a file the two readings agree.
    """

    def __init__(
        self, data: object, path: str, problems: Problems, *, none_is_absent: bool = False
    ) -> None:
        self.path = path
        self.problems = problems
        self.none_is_absent = none_is_absent
        if isinstance(data, Mapping):
            self.data: Mapping[str, object] = data
        else:
            problems.add(path, f"must be a table, got {kind_of(data)}")
            self.data = {}

    def _value(self, name: str) -> object:
        """The value at ``name``, or ``_MISSING`` when it is absent."""
        value = self.data.get(name, _MISSING)
        return _MISSING if value is None and self.none_is_absent else value

    def key(self, name: str) -> str:
        """The key path of ``name`` inside this table."""
        return f"{self.path}.{name}" if self.path else name

    def problem(self, name: str, message: str) -> None:
        """Record a problem at key ``name`` of this table."""
        self.problems.add(self.key(name), message)

    def has(self, name: str) -> bool:
        """Whether the table has key ``name``."""
        return name in self.data

    def raw(self, name: str) -> object:
        """The raw value at ``name`` or ``None``."""
        return self.data.get(name)

    def missing(self, name: str, why: str | None = None) -> None:
        """Record that required key ``name`` is absent, with why it is required.

        ``why`` names what the key declares and the article it comes from
        (``"the controller's contact details (Art. 13(1)(a), 30(1)(a))"``), so
        that the message says which law asks for it.
        """
        self.problem(name, f"is required: {why}" if why else "is required")

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        default: str | None = None,
        blank: bool = False,
        why: str | None = None,
    ) -> str | None:
        """A non-empty string at ``name`` (with ``blank``, an empty one is accepted too).

        ``why`` goes into the message when a required string is missing (:meth:`missing`).
        """
        value = self._value(name)
        if value is _MISSING:
            if required:
                self.missing(name, why)
            return default
        if not isinstance(value, str) or not (blank or value.strip()):
            self.problem(name, f"must be a non-empty string, got {kind_of(value)}")
            return default
        return value

    def count(self, name: str) -> int | None:
        """A non-negative integer at ``name``; 0 when absent, None after a problem."""
        value = self._value(name)
        if value is _MISSING:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(name, f"must be a non-negative integer, got {kind_of(value)}")
            return None
        return value

    def flag(self, name: str, *, default: bool = False) -> bool:
        """A boolean at ``name``."""
        value = self._value(name)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(name, f"must be true or false, got {kind_of(value)}")
            return default
        return value

    def str_list(
        self, name: str, *, required: bool = False, why: str | None = None
    ) -> tuple[str, ...]:
        """A list of non-empty strings at ``name`` (a single string is accepted as one item)."""
        value = self._value(name)
        if value is _MISSING:
            if required:
                self.missing(name, why)
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            self.problem(name, f"must be a list of strings, got {kind_of(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problems.add(f"{self.key(name)}[{i}]", "must be a non-empty string")
            else:
                out.append(item)
        return tuple(out)

    def day(self, name: str, *, required: bool = False, why: str | None = None) -> date | None:
        """A calendar date at ``name``: a TOML date or an ISO 8601 string."""
        value = self._value(name)
        if value is _MISSING:
            if required:
                self.missing(name, why)
            return None
        if isinstance(value, datetime):
            self.problem(name, "must be a date (YYYY-MM-DD), not a date-time")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.problem(name, "is not a valid date (expected YYYY-MM-DD)")
                return None
        self.problem(name, f"must be a date (YYYY-MM-DD), got {kind_of(value)}")
        return None

    def table(self, name: str, *, required: bool = False, why: str | None = None) -> Reader | None:
        """The sub-table at ``name``."""
        value = self._value(name)
        if value is _MISSING:
            if required:
                self.missing(name, why)
            return None
        return Reader(value, self.key(name), self.problems, none_is_absent=self.none_is_absent)

    def parse(
        self,
        name: str,
        parser: Callable[[str], T],
        *,
        required: bool = False,
        why: str | None = None,
    ) -> T | None:
        """A string at ``name`` turned into a value by ``parser`` (its ValueError is the message)."""
        text = self.string(name, required=required, why=why)
        if text is None:
            return None
        try:
            return parser(text)
        except ValueError as exc:
            self.problem(name, str(exc))
            return None

    def unknown(self, allowed: Iterable[str]) -> None:
        """Report every key not in ``allowed`` (catches typos such as ``basiss``)."""
        known = set(allowed)
        for name in self.data:
            if name not in known:
                self.problem(name, "unknown key; expected one of " + ", ".join(sorted(known)))


def kind_of(value: object) -> str:
    """A value's kind for a message, never the value itself (it could be personal data)."""
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    return "a " + type(value).__name__

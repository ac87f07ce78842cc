"""The ANONYMIZE action of an erasure: the anonymous form it writes, or why it erases instead.

Removing identifiers is not anonymisation (Recital 26; WP29 Opinion 05/2014,
WP216). An erasure keeps a record's data as anonymous data only where the
purpose that keeps it declares how (an :class:`~gdprkit.anonymize.AnonymousForm`),
the source keeps an anonymous set to add the rows to, and the rows' classes
in that set reach the declared k (and l). Otherwise the records are erased,
and the plan and the receipt say which and why.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from gdprkit._anonymize.forms import AnonymityCheck, AnonymousForm, Row
from gdprkit._i18n import RECEIPT, language
from gdprkit._rights.sources import AnonymizingSource, DataSource

if TYPE_CHECKING:
    from gdprkit.policy import Policy

__all__ = [
    "AnonymizationOutcome",
    "AnonymousPart",
    "NotAnonymous",
    "forms_of",
    "outcome_lines",
]

_Key = tuple[object, ...]


class NotAnonymous(enum.Enum):
    """Why records an anonymized-only purpose would keep were erased instead (Recital 26)."""

    NO_METHOD = "no_method"
    """The purpose declares no anonymous form for the record kind."""
    NO_ANONYMOUS_SET = "no_anonymous_set"
    """The source keeps no anonymous set to add the rows to."""
    FIELD_NOT_ANONYMOUS = "field_not_anonymous"
    """The form reads a field the record does not keep for the purpose."""
    BELOW_K = "below_k"
    """The rows' classes in the anonymous set would be smaller than k (singling out)."""

    @property
    def words(self) -> str:
        """The reason in English, for the plan a controller reviews."""
        return RECEIPT.text(f"anon.{self.value}", "en")


def forms_of(
    policy: Policy, code: Mapping[str, AnonymousForm] | None
) -> dict[tuple[str, str], AnonymousForm]:
    """Every declared form by (purpose, record kind): the policy's, then ``code``'s for any purpose.

    A form given in code (``plan_erasure(..., forms={"MeterReading": form})``)
    is used for its record kind whichever purpose anonymizes it.
    """
    forms = {
        (pid, d.kind): AnonymousForm.from_declaration(d, tz=policy.timezone)
        for pid, purpose in policy.purposes.items()
        for d in purpose.anonymization
    }
    for kind, form in (code or {}).items():
        if not isinstance(form, AnonymousForm):
            raise TypeError(f"forms[{kind!r}] must be an AnonymousForm")
        for pid in policy.purposes:
            forms[(pid, kind)] = form
    return forms


@attrs.frozen
class AnonymousPart:
    """Records of one source that an erasure keeps as anonymous data, and the rows they become.

    ``rows`` are the anonymous form's rows (labels, never the values read);
    ``preview`` is the check against the source's anonymous set when the
    plan was made. :func:`~gdprkit.rights.execute_erasure` checks again
    before it writes.
    """

    source: str
    kind: str
    purpose: str
    form: AnonymousForm = attrs.field(repr=False)
    records: tuple[_Key, ...] = attrs.field(repr=False)
    rows: tuple[Row, ...] = attrs.field(repr=False)
    preview: AnonymityCheck | None = None

    def line(self) -> str:
        """The part in one line of the plan: where, how, how many rows, k now."""
        now = f"; k now {self.preview.smallest}" if self.preview is not None else ""
        return (
            f"{self.source} ({self.kind}, {self.purpose}): {len(self.records)} records -> "
            f"anonymous rows: {len(self.rows)}; {self.form.describe()}{now}"
        )

    def check(self, source: DataSource) -> AnonymityCheck:
        """The rows checked against ``source``'s anonymous set as it is now."""
        existing: Iterable[Sequence[object]] = (
            source.anonymous_rows(self.form.output_columns)
            if isinstance(source, AnonymizingSource) and source.keeps_anonymous
            else ()
        )
        return self.form.check(existing, self.rows)

    def table(self, check: AnonymityCheck) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
        """The written rows as (columns, value tuples), for a source's ``anonymize``."""
        columns = self.form.output_columns
        return columns, [tuple(row[c] for c in columns) for row in check.written]


@attrs.frozen
class AnonymizationOutcome:
    """What became of records an anonymized-only purpose keeps: anonymous rows, or erasure.

    ``written`` rows were added to the source's anonymous set, in classes of at
    least ``k`` rows; ``reason`` says why records were erased instead
    (``suppressed`` rows, or all of them).
    """

    source: str
    kind: str
    purpose: str
    records: int
    written: int = 0
    suppressed: int = 0
    k: int = 0
    target_k: int | None = None
    reason: NotAnonymous | None = None

    @classmethod
    def of(
        cls, part: AnonymousPart, check: AnonymityCheck, written: int | None = None
    ) -> AnonymizationOutcome:
        """The outcome of ``part`` after ``check``: the rows written (all that passed, unless
        ``written`` says how many a source added), and why the others were not."""
        rows = len(check.written) if written is None else written
        return cls(
            part.source,
            part.kind,
            part.purpose,
            len(part.records),
            written=rows,
            suppressed=check.suppressed,
            k=check.k if rows else check.smallest,
            target_k=check.target_k,
            reason=NotAnonymous.BELOW_K if check.suppressed else None,
        )

    def line(self, lang: str) -> str:
        """The outcome in one line for the data subject, in ``lang``."""
        t = RECEIPT.texts(language(lang, default="en"))
        if self.written:
            text = t["anon.kept_rows"].format(
                source=self.source, rows=self.written, k=self.k, target=self.target_k
            )
            if self.suppressed:
                text += "; " + t["anon.some_erased"].format(rows=self.suppressed)
            return f"- {text}"
        why = t[f"anon.{self.reason.value if self.reason else NotAnonymous.NO_METHOD.value}"]
        if self.reason is NotAnonymous.BELOW_K:
            why = why.format(k=self.k, target=self.target_k)
        return f"- {self.source}: {why}"


def outcome_lines(outcomes: Iterable[AnonymizationOutcome], lang: str) -> list[str]:
    """The receipt's lines on what was kept as anonymous data and what was erased instead."""
    t = RECEIPT.texts(language(lang, default="en"))
    kept = [o for o in outcomes if o.written]
    erased = [o for o in outcomes if not o.written]
    out: list[str] = []
    if kept:
        out += ["", t["anon.kept"], *(o.line(lang) for o in kept)]
    if erased:
        out += ["", t["anon.erased"], *(o.line(lang) for o in erased)]
    return out

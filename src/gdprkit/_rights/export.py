"""The subject export package: a verifiable ZIP for Art. 15 access and Art. 20 portability.

The package writer: rows stream from each source into ``data/<source>.jsonl``
and ``.csv``, then ``index.html`` (:mod:`~gdprkit._rights.page`) and
``manifest.json`` (:mod:`~gdprkit._rights.manifest`) are added; the ZIP is
written to a staging file (:mod:`~gdprkit._rights.staging`) and renamed into
place.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import attrs

from gdprkit._errors import SourceError
from gdprkit._i18n import Language
from gdprkit._rights.cells import CellEncoder, columns_getter, getter
from gdprkit._rights.lines import RowText
from gdprkit._rights.manifest import kind_info, manifest
from gdprkit._rights.names import check_source_names
from gdprkit._rights.page import index_html, page_language
from gdprkit._rights.preview import PREVIEW_ROWS, Preview
from gdprkit._rights.redact import Redactions, Redactor
from gdprkit._rights.scope import Scope, plan_fields
from gdprkit._rights.sources import (
    DataSource,
    SubjectRef,
    ThirdPartySource,
    check_source_of_data,
)
from gdprkit._rights.staging import (
    check_destination,
    clean_stale_exports,
    create_staging,
    discard,
)
from gdprkit._tagging.models import batch_reading
from gdprkit._util import require_aware
from gdprkit.tagging import Schema

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog
    from gdprkit.policy import Policy

__all__ = ["ExportResult", "export_subject"]

_log = logging.getLogger("gdprkit.export")

#: Rows per batch: their values are encoded a column at a time, their text is encoded,
#: hashed and compressed in one piece. Its records are alive together, so there are fewer
#: than the 700 new objects that set off the garbage collector's youngest generation (a
#: collection per batch cost a fifth of a large export); a model adapter whose instances
#: bring more objects each says how many to take (``BatchReading.batch_rows``). Divides
#: ``_PROGRESS_ROWS``, so ``progress`` is called at the same counts as before.
_BATCH_ROWS = 500
#: ``progress`` hears of a source's count every this many rows, and once at its end.
_PROGRESS_ROWS = 10000

#: Whether a file can be renamed while open (not on Windows): then the staging file keeps its
#: lock until it is the package.
_RENAME_OPEN_FILES: Final = os.name == "posix"

#: What ``next()`` gives for a source that yields no record.
_NO_RECORD: Final = object()

#: A ZIP entry's time: year, month, day, hour, minute, second (even).
_ZipStamp = tuple[int, int, int, int, int, int]


def _zip_time(at: datetime, tz: tzinfo) -> _ZipStamp:
    local = at.astimezone(tz)
    if local.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second - local.second % 2,
    )


def _info(name: str, stamp: _ZipStamp) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


@attrs.frozen
class ExportResult:
    """What :func:`export_subject` wrote: the package path, its SHA-256 and the manifest."""

    path: Path
    sha256: str
    manifest: Mapping[str, Any] = attrs.field(eq=False, repr=False)

    @property
    def rows(self) -> int:
        """The number of data rows in the package."""
        return sum(int(k["rows"]) for k in self.manifest["record_kinds"])

    @property
    def personal_data_held(self) -> bool:
        """Whether any source holds something on the subject; False confirms it holds nothing.

        A package with ``False`` is the whole answer to an access request
        about someone the controller holds no data on: the confirmation Art.
        15(1) asks for first ("whether or not personal data concerning him or
        her are being processed"), with no data files.
        """
        return bool(self.manifest["personal_data_held"])

    @property
    def redacted(self) -> int:
        """How many values were withheld from the copy to protect others (Art. 15(4), 20(4))."""
        return sum(int(x["count"]) for k in self.manifest["record_kinds"] for x in k["redactions"])


@attrs.frozen
class _Job:
    """What every source of one package is written under."""

    subject: SubjectRef
    policy: Policy
    scope: Scope
    at: datetime
    facts: Mapping[str, date | datetime | None] | None
    stamp: _ZipStamp
    progress: Callable[[str, int], None] | None
    lang: Language
    redact: Redactor | None = None


@attrs.frozen
class _SourcePart:
    """What one source adds to the package: its data files, its record kind, its first rows."""

    files: tuple[dict[str, Any], ...]
    kind: dict[str, Any]
    preview: Preview


class _Digest:
    """The SHA-256 and the byte count of a file written in pieces."""

    __slots__ = ("sha", "size")

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, text: str, target: IO[bytes]) -> None:
        """Write ``text`` as UTF-8 to ``target`` and into the digest."""
        if not text:
            return
        data = text.encode("utf-8")
        self.sha.update(data)
        target.write(data)
        self.size += len(data)

    def entry(self, path: str, media_type: str, rows: int, source: str) -> dict[str, Any]:
        """The file's entry in the manifest's file list."""
        return {"path": path, "media_type": media_type, "rows": rows,
                "sha256": self.sha.hexdigest(), "bytes": self.size, "source": source}  # fmt: skip


def export_subject(
    subject: SubjectRef,
    sources: Iterable[DataSource],
    policy: Policy,
    *,
    scope: Scope = "access",
    at: datetime,
    out: str | os.PathLike[str],
    facts: Mapping[str, date | datetime | None] | None = None,
    audit: AuditLog | None = None,
    actor: str = "gdprkit",
    progress: Callable[[str, int], None] | None = None,
    lang: str | None = None,
    redact: Redactor | None = None,
) -> ExportResult:
    """Write everything held on ``subject`` (Art. 15) or what is portable (Art. 20) to one ZIP.

    The package holds ``data/<source>.jsonl`` and ``.csv`` (UTF-8, RFC 4180,
    ISO 8601 dates with offset, exact decimals), a self-contained
    ``index.html`` in ``lang`` (``"sv"`` or ``"en"``, else
    :class:`~gdprkit.UnknownLanguage`; by default the policy's first language
    gdprkit has texts in, Art. 12(1)) showing each kind's first
    :data:`~gdprkit.rights.PREVIEW_ROWS` records, and ``manifest.json`` with
    the Art. 15(1)(a)-(h) information per source and record kind and the
    SHA-256 of every file. Rows stream from the sources into the archive; the
    same inputs and ``at`` give the same bytes.

    Nothing about the subject is left behind (Art. 5(1)(f), 32): an ``out``
    that cannot take the package (a folder, a folder that cannot be
    written) raises :class:`~gdprkit.ExportPathError` before any source is
    read; the ZIP is written to a staging file beside ``out``, readable by
    its owner only (``0600``, as the package is), and renamed into place, so
    ``out`` never holds a partial package; any exception, ``KeyboardInterrupt``
    and ``SystemExit`` included, removes the staging file; and staging files
    of earlier exports to ``out`` that were killed are removed first
    (:func:`~gdprkit.rights.clean_stale_exports`).

    ``redact(kind, field, value, record)`` withholds others' data (Art.
    15(4), 20(4)): called for every value of the package, it returns the
    value to deliver or a :class:`~gdprkit.rights.Redacted`; the manifest
    counts redactions per field and ground, never the value, and the files,
    the page and the hashes hold what was delivered.
    """
    job = _new_job(subject, policy, scope, at, facts, progress, lang, redact)
    started = time.monotonic()
    out_path = check_destination(Path(out))
    source_list = list(sources)
    names = check_source_names([s.name for s in source_list])
    clean_stale_exports(out_path.parent, destination=out_path.name)
    written, sha256 = _write_atomically(out_path, source_list, job)
    result = ExportResult(out_path, sha256, written)
    _log.info(
        "%s package written: %d rows from %d sources (%s) in %.2f s",
        scope, result.rows, len(names), ", ".join(names), time.monotonic() - started,
    )  # fmt: skip
    if audit is not None:
        _record(audit, result, at=at, actor=actor, subject=subject, sources=names)
    return result


def _new_job(
    subject: SubjectRef,
    policy: Policy,
    scope: Scope,
    at: datetime,
    facts: Mapping[str, date | datetime | None] | None,
    progress: Callable[[str, int], None] | None,
    lang: str | None,
    redact: Redactor | None,
) -> _Job:
    """Check the arguments every source is written under and gather them in a :class:`_Job`."""
    require_aware(at, "at")
    if scope not in ("access", "portability"):
        raise ValueError("scope must be 'access' or 'portability'")
    if not isinstance(subject, SubjectRef):
        raise TypeError("subject must be a SubjectRef")
    if redact is not None and not callable(redact):
        raise TypeError("redact must be a callable (kind, field, value, record)")
    stamp = _zip_time(at, policy.timezone)
    return _Job(
        subject, policy, scope, at, facts, stamp, progress, page_language(policy, lang), redact
    )


def _record(
    audit: AuditLog,
    result: ExportResult,
    *,
    at: datetime,
    actor: str,
    subject: SubjectRef,
    sources: list[str],
) -> None:
    """The audit entry of a package: what was answered, and how, never the data."""
    manifest = result.manifest
    audit.record(
        "export.produced",
        at=at,
        actor=actor,
        subject=subject.id,
        details={
            "scope": manifest["scope"],
            "package_sha256": result.sha256,
            "rows": result.rows,
            "personal_data_held": result.personal_data_held,
            "redacted": result.redacted,
            "sources": sources,
        },
    )


def _write_atomically(
    out_path: Path, sources: Iterable[DataSource], job: _Job
) -> tuple[dict[str, Any], str]:
    """Write the package to a staging file and rename it to ``out_path``.

    ``out_path`` never holds a partial package, and the staging file is
    removed on any exception, ``KeyboardInterrupt`` and ``SystemExit`` too.
    Its lock is held until it is renamed, so that no cleanup takes it for a
    killed export's. Returns the manifest and the package's SHA-256.
    """
    fd, staging = create_staging(out_path)
    try:
        with os.fdopen(fd, "w+b") as raw:
            written = _write_package(raw, sources, job)
            raw.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: raw.read(1 << 20), b""):
                digest.update(chunk)
            if _RENAME_OPEN_FILES:
                os.replace(staging, out_path)
        if not _RENAME_OPEN_FILES:
            os.replace(staging, out_path)
    except BaseException:
        discard(staging)
        raise
    return written, digest.hexdigest()


def _write_package(raw: IO[bytes], sources: Iterable[DataSource], job: _Job) -> dict[str, Any]:
    """Write the whole ZIP to ``raw``; return the manifest it holds."""
    with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
        parts = [_write_source(zf, source, job) for source in sources]
        files = [f for part in parts for f in part.files]
        kinds = [part.kind for part in parts]
        data_only = manifest(job.subject, job.policy, job.scope, job.at, kinds, files, job.lang)
        previews = {part.kind["source"]: part.preview for part in parts}
        page = index_html(data_only, job.policy, previews).encode("utf-8")
        # The page lists the data files; the manifest lists the page too.
        page_entry = {"path": "index.html", "media_type": "text/html",
                      "sha256": hashlib.sha256(page).hexdigest(), "bytes": len(page)}  # fmt: skip
        full = {**data_only, "files": [*files, page_entry]}
        zf.writestr(_info("index.html", job.stamp), page)
        body = json.dumps(full, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        zf.writestr(_info("manifest.json", job.stamp), body)
    return full


def _write_source(zf: zipfile.ZipFile, source: DataSource, job: _Job) -> _SourcePart:
    """Write one source's records as JSON Lines and CSV; return what the manifest says of them."""
    schemas = source.schemas
    if len(schemas) != 1:
        raise SourceError(f"source {source.name!r} must yield exactly one record kind")
    (schema,) = schemas
    plan = plan_fields(schema, job.policy, job.scope)
    declared = source.source_of_data if isinstance(source, ThirdPartySource) else None
    where_from = check_source_of_data(schema, declared)
    hook = job.redact
    redactions = None if hook is None else Redactions(hook, schema.name, plan.included)
    records = iter(source.records(job.subject))
    try:
        rows, files, first = _write_files(
            zf, source, schema, plan.included, job, records, redactions
        )
    finally:
        if isinstance(records, Generator):
            # Now, not when the garbage collector gets to it: by then the caller may have
            # closed the connection the generator's cleanup needs (an SQL cursor).
            records.close()
    if job.progress is not None and (rows == 0 or rows % _PROGRESS_ROWS):
        job.progress(source.name, rows)  # the final count, unless the loop just reported it
    redacted = [] if redactions is None else redactions.entries(job.scope)
    kind = kind_info(source.name, schema, plan, rows, policy=job.policy, facts=job.facts,
                     at=job.at, languages=(*job.policy.languages, job.lang),
                     source_of_data=where_from, redactions=redacted)  # fmt: skip
    return _SourcePart(files, kind, Preview(plan.included, first))


def _write_files(
    zf: zipfile.ZipFile,
    source: DataSource,
    schema: Schema,
    fields: tuple[str, ...],
    job: _Job,
    records: Iterator[object],
    redactions: Redactions | None,
) -> tuple[int, tuple[dict[str, Any], ...], tuple[tuple[object, ...], ...]]:
    """A source's data files, only if it yields a record: the row count, the files' entries
    and the values of the first :data:`PREVIEW_ROWS` records (for the page).

    With a redaction hook, the values written (and hashed, and shown) are those it delivers.
    """
    first = next(records, _NO_RECORD)
    if first is _NO_RECORD:
        return 0, (), ()
    both = itertools.chain((first,), records)
    reading = batch_reading(schema.model)
    size = _BATCH_ROWS if reading is None else reading.batch_rows
    batches = iter(lambda: list(itertools.islice(both, size)), [])
    columns_of = (
        (columns_getter(fields) if reading is None else reading.columns(schema.model, fields))
        if redactions is None
        else redactions.columns(getter(fields))
    )
    streamed = _stream_rows(zf, source, schema, fields, job, batches, columns_of)
    rows, json_file, csv_file, shown = streamed
    base = f"data/{source.name}"
    return (
        rows,
        (
            json_file.entry(base + ".jsonl", "application/jsonl", rows, source.name),
            csv_file.entry(base + ".csv", "text/csv", rows, source.name),
        ),
        shown,
    )


def _stream_rows(
    zf: zipfile.ZipFile,
    source: DataSource,
    schema: Schema,
    fields: tuple[str, ...],
    job: _Job,
    batches: Iterator[list[Any]],
    columns_of: Callable[[list[Any]], list[list[object]]],
) -> tuple[int, _Digest, _Digest, tuple[tuple[object, ...], ...]]:
    """Stream the subject's records, a batch at a time, into ``data/<source>.jsonl`` and
    ``.csv``.

    The JSON Lines go straight into their ZIP entry; the CSV text is spooled
    to a temporary file meanwhile (a ZIP is written one entry at a time) and
    copied in after. Returns the row count, the two files' digests and the
    values of the first :data:`PREVIEW_ROWS` records (no more are kept, so
    memory does not grow with the subject's history).
    """
    base = f"data/{source.name}"
    model = schema.model
    cells = CellEncoder(job.policy.timezone)
    text = RowText(fields)
    json_file, csv_file = _Digest(), _Digest()
    rows = 0
    first: list[tuple[object, ...]] = []
    # A batch at a time: the values of its records are encoded a column at a time, and the
    # text is encoded, hashed and compressed in one piece: far fewer calls than per row.
    with tempfile.TemporaryFile("w+b") as spool:
        csv_file.write(text.csv_header(fields), spool)
        with zf.open(_info(base + ".jsonl", job.stamp), "w", force_zip64=True) as entry:
            for batch in batches:
                if not all(map(isinstance, batch, itertools.repeat(model))):
                    wrong = next(r for r in batch if not isinstance(r, model))
                    raise SourceError(
                        f"source {source.name!r} yielded a {type(wrong).__name__}, "
                        f"not a {schema.name}"
                    )
                values = columns_of(batch)
                if rows < PREVIEW_ROWS:
                    first.extend(_first_rows(values, PREVIEW_ROWS - rows, len(batch)))
                json_cells, csv_cells = cells.columns(values)
                json_file.write(text.jsonl(json_cells, csv_cells, len(batch)), entry)
                csv_file.write(text.csv(csv_cells, len(batch)), spool)
                rows += len(batch)
                if job.progress is not None and rows % _PROGRESS_ROWS == 0:
                    job.progress(source.name, rows)
        spool.seek(0)
        with zf.open(_info(base + ".csv", job.stamp), "w", force_zip64=True) as entry:
            for chunk in iter(lambda: spool.read(1 << 20), b""):
                entry.write(chunk)
    return rows, json_file, csv_file, tuple(first)


def _first_rows(
    columns: Sequence[Sequence[object]], count: int, rows: int
) -> list[tuple[object, ...]]:
    """The first ``count`` rows of a batch of ``rows`` rows given as ``columns``."""
    count = min(count, rows)
    if not columns:
        return [()] * count
    return list(zip(*(column[:count] for column in columns), strict=True))

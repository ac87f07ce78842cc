"""The subject export package: a verifiable ZIP for Art. 15 access and Art. 20 portability."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import io
import json
import operator
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring as _json_str  # json.dumps' escaper (ensure_ascii=False)
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import attrs

from gdprkit._errors import PackageIntegrityError, SourceError
from gdprkit._sources import DataSource, SubjectRef
from gdprkit._util import require_aware
from gdprkit.tagging import Schema
from gdprkit.vocab import LegalBasis, Origin, Right

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog
    from gdprkit.policy import Policy

__all__ = ["MANIFEST_SCHEMA_VERSION", "ExportResult", "export_subject", "verify_package"]

#: The manifest's schema identifier; bump on incompatible change (docs/export-manifest.schema.json).
MANIFEST_SCHEMA_VERSION = "gdprkit.export/1"

Scope = Literal["access", "portability"]

_PORTABILITY_DERIVED = (
    "Art. 20(1): not provided by the data subject (derived or inferred by the controller; "
    "WP242 rev.01)"
)
_PORTABILITY_THIRD_PARTY = (
    "Art. 20(1): not provided by the data subject (received from a third party)"
)
_PORTABILITY_UNTAGGED = "not declared as personal data of the subject (untagged field)"


def _portability_basis_reason(bases: Iterable[LegalBasis]) -> str:
    names = ", ".join(sorted({f"{b.label('en')} ({b.article})" for b in bases}))
    return f"Art. 20(1)(a): processed only on {names}, not on consent or contract"


@attrs.frozen
class _FieldPlan:
    included: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]


def _plan(schema: Schema, policy: Policy, scope: Scope) -> _FieldPlan:
    """Which fields of a record kind go into the package, and why the others do not."""
    if scope == "access":
        # Art. 15 covers all personal data, derived and inferred data too (EDPB 01/2022).
        return _FieldPlan(schema.all_fields, ())
    tagged = {f.name: f.tag for f in schema.fields}
    included: list[str] = []
    excluded: list[tuple[str, str]] = []
    for name in schema.all_fields:
        tag = tagged.get(name)
        if tag is None:
            excluded.append((name, _PORTABILITY_UNTAGGED))
            continue
        if not tag.origin.provided_by_subject:
            reason = (
                _PORTABILITY_THIRD_PARTY
                if tag.origin is Origin.THIRD_PARTY
                else _PORTABILITY_DERIVED
            )
            excluded.append((name, reason))
            continue
        bases = [policy.purpose(p).basis for p in tag.purposes]
        if not any(b.portable for b in bases):
            excluded.append((name, _portability_basis_reason(bases)))
            continue
        included.append(name)
    return _FieldPlan(tuple(included), tuple(excluded))


def _json_value(value: object, tz: Any) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    if isinstance(value, Decimal):
        return str(value)  # exact: a JSON number would go through binary floating point
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)  # stored wall-clock time in the policy's zone
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return _json_value(value.value, tz)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple | frozenset | set):
        return [_json_value(v, tz) for v in value]
    return str(value)


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


#: Rows per batch: text is encoded, hashed and compressed a batch at a time (divides 10000,
#: so ``progress`` is called at the same counts as before).
_BATCH_ROWS = 1000


def _getter(fields: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """A function giving a record's values of ``fields`` as a tuple (one C call for most)."""
    if len(fields) >= 2:
        return operator.attrgetter(*fields)
    if len(fields) == 1:
        (name,) = fields
        return lambda record: (getattr(record, name),)
    return lambda record: ()


class _CellEncoder:
    """A row's JSON tokens and CSV cells, equal to ``json.dumps`` of :func:`_json_value` and
    :func:`_csv_value`, with the common types dispatched on their exact type.

    Text-like values (str, Decimal, dates) are turned into their text once and
    used for both files; anything else takes the general path.
    """

    __slots__ = ("_text", "_tz")

    def __init__(self, tz: Any) -> None:
        def iso(value: datetime) -> str:
            if value.tzinfo is None:
                value = value.replace(tzinfo=tz)  # stored wall-clock time in the policy's zone
            return value.isoformat()

        self._tz = tz
        self._text: dict[type, Callable[[Any], str]] = {
            str: str.__str__,
            Decimal: Decimal.__str__,
            datetime: iso,
            date: date.isoformat,
        }

    def __call__(self, values: Iterable[object]) -> tuple[list[str], list[str]]:
        text_of = self._text
        json_cells: list[str] = []
        csv_cells: list[str] = []
        for value in values:
            kind = type(value)
            to_text = text_of.get(kind)
            if to_text is not None:
                text = to_text(value)
                json_cells.append(_json_str(text))
                csv_cells.append(text)
            elif kind is int:
                text = int.__repr__(value)
                json_cells.append(text)
                csv_cells.append(text)
            elif value is None:
                json_cells.append("null")
                csv_cells.append("")
            else:
                plain = _json_value(value, self._tz)
                json_cells.append(json.dumps(plain, ensure_ascii=False))
                csv_cells.append(_csv_value(plain))
        return json_cells, csv_cells


def _flush_text(text: str, sha: Any, target: IO[bytes]) -> int:
    """Write ``text`` as UTF-8 to ``target`` and into ``sha``; return the byte count."""
    if not text:
        return 0
    data = text.encode("utf-8")
    sha.update(data)
    target.write(data)
    return len(data)


def _zip_time(at: datetime, tz: Any) -> tuple[int, int, int, int, int, int]:
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


def _info(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
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
) -> ExportResult:
    """Write everything held on ``subject`` (Art. 15) or what is portable (Art. 20) to one ZIP.

    The package holds ``data/<source>.jsonl`` and ``.csv`` (UTF-8, RFC 4180,
    ISO 8601 dates with offset, exact decimals), a self-contained
    ``index.html``, and ``manifest.json`` with the Art. 15(1)(a)-(h)
    information per source and record kind and the SHA-256 of every file.
    Rows stream from the sources into the archive. The ZIP is written under
    a temporary name and renamed into place, so ``out`` never holds a partial
    package; the same inputs and ``at`` give the same bytes.
    """
    require_aware(at, "at")
    if scope not in ("access", "portability"):
        raise ValueError("scope must be 'access' or 'portability'")
    if not isinstance(subject, SubjectRef):
        raise TypeError("subject must be a SubjectRef")
    out_path = Path(out)
    tz = policy.timezone
    stamp = _zip_time(at, tz)
    source_list = list(sources)
    names = [s.name for s in source_list]
    if len(set(names)) != len(names):
        raise SourceError("two sources have the same name; names become file names")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w+b") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            files: list[dict[str, Any]] = []
            kinds: list[dict[str, Any]] = []
            for source in source_list:
                _write_source(
                    zf, source, subject, policy, scope, stamp, files, kinds, progress, facts, at
                )
            manifest = _manifest(subject, policy, scope, at, kinds, files)
            page = _index_html(manifest, policy).encode("utf-8")
            files.append(
                {
                    "path": "index.html",
                    "media_type": "text/html",
                    "sha256": hashlib.sha256(page).hexdigest(),
                    "bytes": len(page),
                }
            )
            zf.writestr(_info("index.html", stamp), page)
            body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode(
                "utf-8"
            )
            zf.writestr(_info("manifest.json", stamp), body)
        digest = hashlib.sha256()
        with open(tmp_name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        os.replace(tmp_name, out_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    result = ExportResult(out_path, digest.hexdigest(), manifest)
    if audit is not None:
        audit.record(
            "export.produced",
            at=at,
            actor=actor,
            subject=subject.id,
            details={
                "scope": scope,
                "package_sha256": result.sha256,
                "rows": result.rows,
                "sources": names,
            },
        )
    return result


def _write_source(
    zf: zipfile.ZipFile,
    source: DataSource,
    subject: SubjectRef,
    policy: Policy,
    scope: Scope,
    stamp: tuple[int, int, int, int, int, int],
    files: list[dict[str, Any]],
    kinds: list[dict[str, Any]],
    progress: Callable[[str, int], None] | None,
    facts: Mapping[str, date | datetime | None] | None,
    at: datetime,
) -> None:
    schemas = source.schemas
    if len(schemas) != 1:
        raise SourceError(f"source {source.name!r} must yield exactly one record kind")
    (schema,) = schemas
    plan = _plan(schema, policy, scope)
    tz = policy.timezone
    base = f"data/{source.name}"
    rows = 0
    model = schema.model
    values_of = _getter(plan.included)
    cells = _CellEncoder(tz)
    # One JSON object per row with the keys in plan order, as json.dumps(dict) would write it.
    line = "{" + ", ".join(_json_str(f).replace("%", "%%") + ": %s" for f in plan.included) + "}\n"
    json_sha, csv_sha = hashlib.sha256(), hashlib.sha256()
    json_size = csv_size = 0
    lines: list[str] = []
    table = io.StringIO(newline="")
    writer = csv.writer(table, lineterminator="\r\n")
    writer.writerow(plan.included)
    with tempfile.TemporaryFile("w+b") as spool:
        with zf.open(_info(base + ".jsonl", stamp), "w", force_zip64=True) as entry:
            for record in source.records(subject):
                if not isinstance(record, model):
                    raise SourceError(
                        f"source {source.name!r} yielded a {type(record).__name__}, "
                        f"not a {schema.name}"
                    )
                json_cells, csv_cells = cells(values_of(record))
                lines.append(line % tuple(json_cells))
                writer.writerow(csv_cells)
                rows += 1
                if rows % _BATCH_ROWS == 0:
                    # Encode, hash and compress a batch at a time: far fewer calls than per row.
                    json_size += _flush_text("".join(lines), json_sha, entry)
                    lines.clear()
                    csv_size += _flush_text(table.getvalue(), csv_sha, spool)
                    table.seek(0)
                    table.truncate()
                    if progress is not None and rows % 10000 == 0:
                        progress(source.name, rows)
            json_size += _flush_text("".join(lines), json_sha, entry)
        csv_size += _flush_text(table.getvalue(), csv_sha, spool)
        spool.seek(0)
        with zf.open(_info(base + ".csv", stamp), "w", force_zip64=True) as entry:
            for chunk in iter(lambda: spool.read(1 << 20), b""):
                entry.write(chunk)
    if progress is not None and (rows == 0 or rows % 10000):
        progress(source.name, rows)  # the final count, unless the loop just reported it
    files.append({"path": base + ".jsonl", "media_type": "application/jsonl", "rows": rows,
                  "sha256": json_sha.hexdigest(), "bytes": json_size, "source": source.name})  # fmt: skip
    files.append({"path": base + ".csv", "media_type": "text/csv", "rows": rows,
                  "sha256": csv_sha.hexdigest(), "bytes": csv_size, "source": source.name})  # fmt: skip
    kinds.append(_kind_info(source.name, schema, policy, plan, rows, facts, at))


def _kind_info(
    source: str,
    schema: Schema,
    policy: Policy,
    plan: _FieldPlan,
    rows: int,
    facts: Mapping[str, date | datetime | None] | None,
    at: datetime,
) -> dict[str, Any]:
    purposes = sorted({p for f in schema.fields for p in f.tag.purposes})
    purpose_info = []
    for pid in purposes:
        p = policy.purpose(pid)
        retention: dict[str, Any] = {
            "rule": {"en": p.retention_words("en"), "sv": p.retention_words("sv")}
        }
        if p.retention is not None and facts is not None:
            from gdprkit.retention import evaluate

            verdict = evaluate(p.retention, facts, at, tz=policy.timezone)
            retention["status"] = verdict.status.value
            retention["erasable_from"] = (
                verdict.expires_at.isoformat() if verdict.expires_at else None
            )
        purpose_info.append(
            {
                "id": pid,
                "name": {lang: p.name.get(lang) for lang in policy.languages},
                "legal_basis": {"code": p.basis.value, "article": f"GDPR Art. {p.basis.article}",
                                "dpv": p.basis.dpv_gdpr, "label": p.basis.label("en")},
                "legal_reference": p.legal_reference,
                "special_condition": p.special_condition.article if p.special_condition else None,
                "recipients": [
                    {"name": policy.recipients[r].name.get("en"), "country": policy.recipients[r].country,
                     "safeguards": policy.recipients[r].safeguards}
                    for r in p.recipients
                ],
                "retention": retention,
                "direct_marketing": p.direct_marketing,
            }
        )  # fmt: skip
    tagged = {f.name: f.tag for f in schema.fields}
    fields = []
    for name in schema.all_fields:
        tag = tagged.get(name)
        entry: dict[str, Any] = {"name": name, "personal": tag is not None,
                                 "exported": name in plan.included}  # fmt: skip
        if tag is not None:
            entry.update(
                category=str(tag.category),
                category_label=policy.taxonomy[str(tag.category)].label("en")
                if str(tag.category) in policy.taxonomy
                else str(tag.category),
                origin=tag.origin.value,
                source_of_data=tag.origin.label("en"),
                purposes=list(tag.purposes),
            )
        fields.append(entry)
    rights = sorted(
        {r for pid in purposes for r in policy.purpose(pid).rights},
        key=lambda r: list(Right).index(r),
    )
    return {
        "source": source,
        "record_kind": schema.name,
        "data_subject_kind": schema.subject,
        "rows": rows,
        "purposes": purpose_info,
        "categories": sorted({str(f.tag.category) for f in schema.fields}),
        "origins": sorted({f.tag.origin.value for f in schema.fields}),
        "fields": fields,
        "excluded_fields": [{"field": n, "reason": r} for n, r in plan.excluded],
        "rights": [
            {"right": r.value, "article": f"GDPR Art. {r.article}", "label": r.label("en")}
            for r in rights
        ],
    }


def _manifest(
    subject: SubjectRef,
    policy: Policy,
    scope: Scope,
    at: datetime,
    kinds: list[dict[str, Any]],
    files: list[dict[str, Any]],
) -> dict[str, Any]:
    c = policy.controller
    a = policy.authority
    transfers = sorted(
        {
            (r.name.get("en"), r.country, r.safeguards or "")
            for r in policy.recipients.values()
            if r.third_country
        }
    )
    return {
        "schema": MANIFEST_SCHEMA_VERSION,
        "scope": scope,
        "legal_basis_of_request": "GDPR Art. 15" if scope == "access" else "GDPR Art. 20",
        "generated_at": at.astimezone(policy.timezone).isoformat(),
        "policy_version": policy.version,
        "language": policy.languages[0],
        "controller": {"name": c.name, "org_number": c.org_number, "address": c.address,
                       "email": c.email, "phone": c.phone, "dpo": c.dpo},
        "supervisory_authority": {"name": a.name.get("en"), "name_local": a.name.get(policy.languages[0]),
                                  "website": a.website, "address": a.address, "email": a.email,
                                  "phone": a.phone, "complaint_url": a.complaint_url,
                                  "right": "GDPR Art. 77"},
        "subject": {"kind": subject.kind, "id": subject.id},
        "how_to_exercise_rights": {"contact": policy.rights_contact or c.email,
                                   "response_time": "one month from receipt, extendable by two "
                                   "further months (GDPR Art. 12(3))"},
        "automated_decision_making": {lang: policy.automated_decisions.get(lang) for lang in policy.languages},
        "third_country_transfers": [{"recipient": n, "country": k, "safeguards": s} for n, k, s in transfers],
        "record_kinds": kinds,
        "files": files,
    }  # fmt: skip


_HTML_TEXT = {
    "en": {
        "title": "Your personal data held by {name}",
        "intro": "This package was produced on {at} in answer to your {request}. "
        "It holds the data listed below, in JSON Lines and CSV files, and the same "
        "information in machine-readable form in manifest.json.",
        "access": "request for access (GDPR Art. 15)",
        "portability": "request for data portability (GDPR Art. 20)",
        "what": "What we hold", "kind": "Record kind", "rows": "Rows", "cats": "Categories",
        "from": "Where it came from", "why": "Why we process it", "basis": "Legal basis",
        "long": "How long we keep it", "to": "Recipients", "excluded": "Left out of this package",
        "rights": "Your rights", "contact": "To exercise your rights, contact",
        "complain": "You can complain to the supervisory authority",
        "files": "Files", "file": "File", "hash": "SHA-256",
        "auto": "Automated decisions", "erasable": "can be erased from {date}",
        "org": "Org. no.",
    },
    "sv": {
        "title": "Dina personuppgifter hos {name}",
        "intro": "Detta paket skapades {at} som svar på din {request}. Det innehåller "
        "uppgifterna nedan som JSON Lines- och CSV-filer, och samma information i "
        "maskinläsbar form i manifest.json.",
        "access": "begäran om tillgång (registerutdrag, artikel 15)",
        "portability": "begäran om dataportabilitet (artikel 20)",
        "what": "Vilka uppgifter vi har", "kind": "Typ av post", "rows": "Rader",
        "cats": "Kategorier", "from": "Varifrån uppgifterna kommer", "why": "Varför vi behandlar dem",
        "basis": "Rättslig grund", "long": "Hur länge vi sparar dem", "to": "Mottagare",
        "excluded": "Inte med i detta paket", "rights": "Dina rättigheter",
        "contact": "Kontakta oss för att utöva dina rättigheter:",
        "complain": "Du kan klaga till tillsynsmyndigheten", "files": "Filer", "file": "Fil",
        "hash": "SHA-256", "auto": "Automatiserade beslut",
        "erasable": "kan raderas från och med {date}", "org": "Org.nr",
    },
}  # fmt: skip

# Readable on screen and on paper, in light and dark mode; no external fonts or images.
_HTML_STYLE = (
    ":root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;"
    "--band:#fbfcfd;--link:#0550ae}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;"
    "--head:#151b23;--band:#10151c;--link:#4493f8}body{background:#0d1117}}"
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
    "max-width:62rem;margin:0 auto;padding:2rem 1.25rem 3rem}"
    "h1{font-size:1.75rem;line-height:1.25;margin:0 0 .25rem}"
    "h2{font-size:1.35rem;margin:2.25rem 0 .75rem;padding-bottom:.3rem;"
    "border-bottom:2px solid var(--line)}"
    "h3{font-size:1.1rem;margin:1.75rem 0 .5rem}h3 small{font-weight:normal;color:var(--muted)}"
    ".meta{color:var(--muted);margin:0 0 1.25rem}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.95rem}"
    "th,td{border:1px solid var(--line);padding:.4rem .6rem;text-align:left;vertical-align:top}"
    "thead th,.kv th{background:var(--head);font-weight:600}.kv,.purposes{table-layout:fixed}"
    ".kv th,.purposes th:first-child{width:22%}.purposes th:nth-child(2){width:17%}"
    ".purposes th:nth-child(3){width:31%}td{overflow-wrap:break-word}"
    "tbody tr:nth-child(even) td{background:var(--band)}"
    ".num{text-align:right;font-variant-numeric:tabular-nums}"
    ".note{display:block;color:var(--muted);font-size:.9em}"
    "ul{margin:.25rem 0;padding-left:1.25rem}a{color:var(--link)}"
    "code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}"
    "@media print{body{max-width:none;padding:0}a{color:inherit}section{break-inside:avoid}}"
)


def _local_time(iso: str) -> str:
    """``2026-11-25T10:30:00+01:00`` as ``2026-11-25 10:30 (UTC+01:00)``."""
    at = datetime.fromisoformat(iso)
    offset = at.strftime("%z")
    return (
        f"{at:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:5]})" if offset else f"{at:%Y-%m-%d %H:%M}"
    )


_REASONS_SV = {
    _PORTABILITY_DERIVED: "art. 20.1: inte lämnade av dig (härledda eller beräknade av oss; "
    "WP242 rev.01)",
    _PORTABILITY_THIRD_PARTY: "art. 20.1: inte lämnade av dig (mottagna från tredje part)",
    _PORTABILITY_UNTAGGED: "inte angivet som personuppgift om dig (fält utan märkning)",
}


def _excluded_reason(
    reason: str, field: Mapping[str, Any] | None, policy: Policy, lang: str
) -> str:
    """The manifest's reason (in English) for leaving a field out, in the page's language."""
    if lang != "sv":
        return reason
    if reason in _REASONS_SV:
        return _REASONS_SV[reason]
    if field is not None and reason.startswith("Art. 20(1)(a)"):
        bases = {policy.purpose(p).basis for p in field.get("purposes", ())}
        labels = {(b.label("sv"), b.article) for b in bases}
        names = ", ".join(sorted(f"{w[:1].lower()}{w[1:]} (art. {art})" for w, art in labels))
        return f"art. 20.1 a: behandlas endast med stöd av {names}, inte samtycke eller avtal"
    return reason


def _index_html(manifest: Mapping[str, Any], policy: Policy) -> str:
    """A self-contained page (no scripts, no external assets) a person can read.

    Written in the policy's first language; the same facts as the manifest,
    one section per record kind with its purposes as a table (Art. 15(1)(a)-(h)).
    """
    lang = manifest["language"] if manifest["language"] in _HTML_TEXT else "en"
    t = _HTML_TEXT[lang]
    e = html.escape
    c = manifest["controller"]
    a = manifest["supervisory_authority"]
    title = e(t["title"].format(name=c["name"]))
    meta = " · ".join(
        e(x) for x in (c["name"], f"{t['org']} {c['org_number']}" if c["org_number"] else None,
                       c["address"], c["email"]) if x
    )  # fmt: skip
    at = _local_time(manifest["generated_at"])
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_HTML_STYLE}</style>",
        "</head><body>",
        f"<h1>{title}</h1>",
        f'<p class="meta">{meta}</p>',
        f"<p>{e(t['intro'].format(at=at, request=t[manifest['scope']]))}</p>",
        f"<h2>{e(t['what'])}</h2>",
    ]
    paths: dict[str | None, list[str]] = {f.get("source"): [] for f in manifest["files"]}
    for f in manifest["files"]:
        paths[f.get("source")].append(f["path"])
    for kind in manifest["record_kinds"]:
        personal = [f for f in kind["fields"] if f["personal"]]
        labels = sorted({policy.taxonomy[f["category"]].label(lang) if f["category"] in policy.taxonomy
                         else f["category"] for f in personal})  # fmt: skip
        origins = sorted({Origin(f["origin"]).label(lang) for f in personal})
        links = ", ".join(
            f'<a href="{e(p)}"><code>{e(p)}</code></a>' for p in paths.get(kind["source"], [])
        )
        out.append("<section>")
        out.append(f"<h3>{e(kind['record_kind'])} <small>({e(kind['source'])})</small></h3>")
        out.append('<table class="kv">')
        out.append(f"<tr><th>{e(t['rows'])}</th><td>{kind['rows']}</td></tr>")
        out.append(f"<tr><th>{e(t['cats'])}</th><td>{e(', '.join(labels))}</td></tr>")
        out.append(f"<tr><th>{e(t['from'])}</th><td>{e('; '.join(origins))}</td></tr>")
        if links:
            out.append(f"<tr><th>{e(t['files'])}</th><td>{links}</td></tr>")
        if kind["excluded_fields"]:
            by_name = {f["name"]: f for f in kind["fields"]}
            items = "".join(
                f"<li><code>{e(x['field'])}</code>: "
                f"{e(_excluded_reason(x['reason'], by_name.get(x['field']), policy, lang))}</li>"
                for x in kind["excluded_fields"]
            )
            out.append(f"<tr><th>{e(t['excluded'])}</th><td><ul>{items}</ul></td></tr>")
        out.append("</table>")
        if kind["purposes"]:
            out.append(f'<table class="purposes"><thead><tr><th>{e(t["why"])}</th>'
                       f'<th>{e(t["basis"])}</th><th>{e(t["long"])}</th><th>{e(t["to"])}</th>'
                       "</tr></thead><tbody>")  # fmt: skip
        for p in kind["purposes"]:
            purpose = policy.purpose(p["id"])
            article = p["legal_basis"]["article"]
            if p["legal_reference"]:
                article += f"; {p['legal_reference']}"
            basis = f'{e(purpose.basis.label(lang))} <span class="note">{e(article)}</span>'
            keep = e(purpose.retention_words(lang) or "")
            if p["retention"].get("erasable_from"):
                date_text = t["erasable"].format(date=p["retention"]["erasable_from"][:10])
                keep += f' <span class="note">{e(date_text)}</span>'
            to = e(", ".join(policy.recipients[r].name.get(lang) for r in purpose.recipients))
            out.append(f"<tr><td><strong>{e(purpose.name.get(lang))}</strong></td>"
                       f"<td>{basis}</td><td>{keep}</td><td>{to}</td></tr>")  # fmt: skip
        if kind["purposes"]:
            out.append("</tbody></table>")
        out.append("</section>")
    rights = sorted({(r["right"], r["article"]) for k in manifest["record_kinds"] for r in k["rights"]},
                    key=lambda x: [m.value for m in Right].index(x[0]))  # fmt: skip
    out.append(f"<section><h2>{e(t['rights'])}</h2><ul>")
    for value, article in rights:
        out.append(f"<li>{e(Right(value).label(lang).capitalize())} ({e(article)})</li>")
    out.append("</ul>")
    out.append(f"<p>{e(t['contact'])} {e(manifest['how_to_exercise_rights']['contact'])}</p>")
    out.append(f"<p><strong>{e(t['auto'])}:</strong> {e(policy.automated_decisions.get(lang))}</p>")
    out.append(
        f"<p>{e(t['complain'])}: {e(a['name_local'] if lang != 'en' else a['name'])}"
        + "".join(f", {e(x)}" for x in (a["address"], a["website"]) if x)
        + "</p></section>"
    )
    out.append(f"<section><h2>{e(t['files'])}</h2><table><thead><tr><th>{e(t['file'])}</th>"
               f'<th class="num">{e(t["rows"])}</th><th>{e(t["hash"])}</th></tr></thead><tbody>')  # fmt: skip
    for f in manifest["files"]:
        out.append(f'<tr><td><a href="{e(f["path"])}"><code>{e(f["path"])}</code></a></td>'
                   f'<td class="num">{f.get("rows", "")}</td><td><code>{e(f["sha256"])}</code></td></tr>')  # fmt: skip
    out.append("</tbody></table></section></body></html>")
    return "\n".join(out) + "\n"


def verify_package(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Re-check an export package: every file the manifest lists, by SHA-256, and nothing else.

    Returns the manifest; raises :class:`~gdprkit.PackageIntegrityError`
    naming the first file that is missing, extra or changed.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        raise PackageIntegrityError("not a readable ZIP export package") from None
    with zf:
        try:
            manifest = json.loads(zf.read("manifest.json"))
        except KeyError:
            raise PackageIntegrityError("the package has no manifest.json") from None
        except (ValueError, zipfile.BadZipFile):
            raise PackageIntegrityError("manifest.json is not valid JSON") from None
        if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA_VERSION:
            raise PackageIntegrityError("manifest.json has an unknown schema")
        files = manifest.get("files", [])
        if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) for f in files
        ):
            raise PackageIntegrityError("manifest.json has a malformed file list")
        listed = {f["path"]: f for f in files}
        present = set(zf.namelist()) - {"manifest.json"}
        for extra in sorted(present - set(listed)):
            raise PackageIntegrityError(f"{extra} is in the package but not in the manifest")
        for name, meta in listed.items():
            if name not in present:
                raise PackageIntegrityError(f"{name} is listed in the manifest but missing")
            digest = hashlib.sha256()
            try:
                with zf.open(name) as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
            except (zipfile.BadZipFile, OSError):
                raise PackageIntegrityError(f"{name} cannot be read (corrupt archive)") from None
            if digest.hexdigest() != meta.get("sha256"):
                raise PackageIntegrityError(f"{name} does not match its SHA-256 in the manifest")
    return manifest

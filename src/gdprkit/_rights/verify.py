"""Re-checking an export package: every file the manifest lists, by SHA-256, and nothing else.

A package is also refused when a member could not be unpacked safely: a path
that leaves the folder it is unpacked into ("zip-slip"), a link, or two
members whose names differ only in case; when its ZIP could be read in more
than one way (:mod:`~gdprkit._rights.zipcheck`); and when the manifest
contradicts the files (row counts, sizes). Whatever is wrong with the file,
the answer is a :class:`~gdprkit.PackageIntegrityError`, never another
exception. Packages of every manifest schema gdprkit has written
(:data:`~gdprkit._rights.manifest.READABLE_SCHEMAS`) verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import zipfile
from typing import IO, Any, Final

from gdprkit._errors import PackageIntegrityError
from gdprkit._rights.manifest import READABLE_SCHEMAS
from gdprkit._rights.names import duplicate_member, member_problem
from gdprkit._rights.zipcheck import check_layout, read_member

__all__ = ["verify_package"]

#: No manifest gdprkit writes comes near this; a larger one is refused before it is read.
_MANIFEST_MAX: Final = 64 << 20
_SHA256: Final = re.compile(r"[0-9a-f]{64}\Z")
#: What reading a damaged archive's directory can raise, in zipfile and below it: zipfile
#: refuses a member needing a newer ZIP version with NotImplementedError. Members are never
#: opened through zipfile (check_layout refuses encryption and other compression methods,
#: and read_member inflates the checked spans itself).
_UNREADABLE: Final = (
    zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, OverflowError,
    NotImplementedError,
)  # fmt: skip


def verify_package(path: str | os.PathLike[str], *, sha256: str | None = None) -> dict[str, Any]:
    """Re-check an export package: every file the manifest lists, by SHA-256, and nothing else.

    Returns the manifest; raises :class:`~gdprkit.PackageIntegrityError`
    naming the first file that is missing, extra or changed, a member that
    would be unpacked outside its folder, an archive that could be read in
    more than one way, or a manifest whose counts and sizes contradict the
    files. The manifest is not signed: whoever can rewrite the package can
    rewrite the hashes in it too. ``sha256`` (the package's own SHA-256, as
    :attr:`ExportResult.sha256` and the audit log's ``export.produced`` entry
    keep it) closes that gap: then any changed byte is refused.
    """
    expected = None if sha256 is None else _expected_digest(sha256)
    try:
        fh = open(path, "rb")  # noqa: SIM115 -- closed by the with below
    except OSError:
        raise PackageIntegrityError("not a readable ZIP export package") from None
    with fh:
        if expected is not None:
            _check_digest(fh, expected)
        try:
            return _verify(fh)
        except _UNREADABLE:
            pass  # raised outside the handler: a zipfile error may quote a member's name
    raise PackageIntegrityError("the archive cannot be read (it is damaged or not a ZIP file)")


def _expected_digest(sha256: object) -> str:
    if not isinstance(sha256, str):
        raise TypeError(f"sha256 must be a str, got {type(sha256).__name__}")
    digest = sha256.strip().lower()
    if not _SHA256.match(digest):
        raise ValueError("sha256 must be 64 hexadecimal digits (ExportResult.sha256)")
    return digest


def _check_digest(fh: IO[bytes], expected: str) -> None:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        digest.update(chunk)
    if not hmac.compare_digest(digest.hexdigest(), expected):
        raise PackageIntegrityError(
            "the package's SHA-256 is not the one given: it was changed after it was written"
        )


def _verify(fh: IO[bytes]) -> dict[str, Any]:
    with zipfile.ZipFile(fh) as zf:
        _check_members(zf)
        spans = check_layout(fh, zf)
        manifest = _read_manifest(fh, zf, spans)
        files = _listed_files(manifest, zf)
        rows = {}
        for name, meta in files.items():
            rows[name] = _check_file(fh, zf.getinfo(name), spans[name], meta)
        _check_counts(manifest, files, rows)
    return manifest


def _read_manifest(
    fh: IO[bytes], zf: zipfile.ZipFile, spans: dict[str, tuple[int, int]]
) -> dict[str, Any]:
    """The parsed ``manifest.json`` of the package, or a :class:`PackageIntegrityError`.

    The error is raised outside the handler: a JSON error carries the whole
    document (the subject's id among it), which ``from None`` would only hide
    while keeping it reachable as ``__context__``.
    """
    if "manifest.json" not in spans:
        raise PackageIntegrityError("the package has no manifest.json")
    info = zf.getinfo("manifest.json")
    if info.file_size > _MANIFEST_MAX:
        raise PackageIntegrityError("manifest.json is far larger than any manifest gdprkit writes")
    pieces: list[bytes] = []
    read_member(fh, info, spans["manifest.json"], pieces.append)
    problem = None
    try:
        manifest = json.loads(b"".join(pieces))
    except (ValueError, RecursionError):
        problem = "manifest.json is not valid JSON"
    if problem is not None:
        raise PackageIntegrityError(problem)
    schema = manifest.get("schema") if isinstance(manifest, dict) else None
    if not isinstance(schema, str) or schema not in READABLE_SCHEMAS:
        raise PackageIntegrityError("manifest.json has an unknown schema")
    return manifest  # type: ignore[no-any-return]  # checked to be a dict just above


def _listed_files(manifest: dict[str, Any], zf: zipfile.ZipFile) -> dict[str, dict[str, Any]]:
    """The manifest's file list by path, each file present, and no member left out of it."""
    files = manifest.get("files", [])
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) for f in files
    ):
        raise PackageIntegrityError("manifest.json has a malformed file list")
    listed = {f["path"]: f for f in files}
    present = set(zf.namelist()) - {"manifest.json"}
    for extra in sorted(present - set(listed)):
        raise PackageIntegrityError(f"{extra} is in the package but not in the manifest")
    for name in listed:
        if name not in present:
            raise PackageIntegrityError(f"{name} is listed in the manifest but missing")
    return listed


def _check_file(
    fh: IO[bytes], info: zipfile.ZipInfo, span: tuple[int, int], meta: dict[str, Any]
) -> int:
    """Check one listed file's SHA-256 and size; return its count of lines."""
    digest = hashlib.sha256()
    lines = 0

    def sink(piece: bytes) -> None:
        nonlocal lines
        digest.update(piece)
        lines += piece.count(b"\n")

    read_member(fh, info, span, sink)
    name = info.filename
    if digest.hexdigest() != meta.get("sha256"):
        raise PackageIntegrityError(f"{name} does not match its SHA-256 in the manifest")
    if "bytes" in meta and meta["bytes"] != info.file_size:
        raise PackageIntegrityError(f"{name} is not the size the manifest gives")
    return lines


def _rows(item: dict[str, Any], what: str) -> int:
    rows = item.get("rows")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise PackageIntegrityError(f"manifest.json gives {what} a row count that is no count")
    return rows


def _check_counts(
    manifest: dict[str, Any], files: dict[str, dict[str, Any]], lines: dict[str, int]
) -> None:
    """The manifest's row counts must be the files': per data file, per kind, and in all."""
    rows_of: dict[str, set[int]] = {}
    for name, meta in files.items():
        if "rows" not in meta:
            continue
        rows = _rows(meta, ascii(name)[:60])
        if name.endswith(".jsonl") and rows != lines[name]:
            raise PackageIntegrityError(
                f"{name} does not hold the number of rows the manifest gives"
            )
        rows_of.setdefault(str(meta.get("source")), set()).add(rows)
    kinds = manifest.get("record_kinds", [])
    if not isinstance(kinds, list) or not all(isinstance(k, dict) for k in kinds):
        raise PackageIntegrityError("manifest.json has a malformed list of record kinds")
    total = 0
    for kind in kinds:
        source = str(kind.get("source"))
        rows = _rows(kind, f"the record kind {ascii(source)[:40]}")
        if rows_of.get(source, {0}) != {rows}:
            raise PackageIntegrityError(
                f"the record kind {ascii(source)[:40]} does not hold the number of rows its "
                "files hold"
            )
        total += rows
    held = manifest.get("personal_data_held")
    if held is not None and held is not (total > 0):
        raise PackageIntegrityError(
            "manifest.json's personal_data_held contradicts the rows its files hold"
        )


def _check_members(zf: zipfile.ZipFile) -> None:
    """Refuse a package with a member that is unsafe to unpack, before anything is read."""
    infos = zf.infolist()
    for info in infos:
        problem = member_problem(info)
        if problem is not None:
            raise PackageIntegrityError(f"the member {ascii(info.filename)[:60]} {problem}")
    twice = duplicate_member(info.filename for info in infos)
    if twice is not None:
        raise PackageIntegrityError(
            f"the member {ascii(twice)[:60]} is in the package twice (case ignored)"
        )

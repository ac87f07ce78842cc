"""A tampered or damaged export package is refused by ``verify_package`` with a typed error.

However the file was changed (a byte flipped anywhere, members added or
removed, the ZIP's two copies of a member made to disagree, bytes hidden
between members, the manifest edited), the answer is a
``PackageIntegrityError`` or, where only a field that changes no member's
name or content was touched, a package that still reads as it was written:
never another exception, and never different content that verifies.
"""

from __future__ import annotations

import copy
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
ANNA = rights.SubjectRef(kind="customer", id="C-1042")


class Tickets:
    """A source of a few support tickets."""

    name = "tickets"
    schemas = (gk.schema_of(models.SupportTicket),)

    def __init__(self, count: int = 3) -> None:
        self.count = count

    def records(self, subject: rights.SubjectRef) -> list[models.SupportTicket]:
        return [
            models.SupportTicket(f"T-{i}", "C-1042", AT, f"ticket {i}: " + "hej " * 20)
            for i in range(self.count)
        ]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> rights.ExportResult:
    out = tmp_path_factory.mktemp("package") / "answer.zip"
    return rights.export_subject(ANNA, [Tickets()], models.policy, at=AT, out=out)


def _contents(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_no_changed_byte_gives_another_exception_or_other_content_that_verifies(
    package: rights.ExportResult, tmp_path: Path
) -> None:
    original = package.path.read_bytes()
    contents = _contents(original)
    target = tmp_path / "changed.zip"
    verified = 0
    for position in range(0, len(original), 3):  # every field of the headers is hit
        changed = bytearray(original)
        changed[position] ^= 0xFF
        target.write_bytes(changed)
        try:
            rights.verify_package(target)
        except gk.PackageIntegrityError:
            continue
        # a version or an attribute byte: the members read exactly as they were written
        assert _contents(bytes(changed)) == contents, position
        verified += 1
    assert verified < len(original) // 60


def _rezip(
    contents: dict[str, bytes],
    *,
    manifest: Callable[[dict[str, object]], None] | None = None,
    seekable: bool = True,
) -> bytes:
    """The package's members written again (the manifest changed by ``manifest``)."""
    members = dict(contents)
    if manifest is not None:
        document = json.loads(members["manifest.json"])
        manifest(document)
        members["manifest.json"] = json.dumps(document).encode()
    buffer = io.BytesIO()

    class Unseekable(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: bytes) -> int:  # type: ignore[override]
            return buffer.write(data)

    with zipfile.ZipFile(buffer if seekable else Unseekable(), "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _changed_local_method(data: bytes) -> bytes:
    """The first member's local header says 'stored' while the directory says 'deflated'."""
    changed = bytearray(data)
    changed[8:10] = struct.pack("<H", zipfile.ZIP_STORED)
    return bytes(changed)


def _changed_local_size(data: bytes) -> bytes:
    changed = bytearray(data)
    (size,) = struct.unpack_from("<I", changed, 22)
    struct.pack_into("<I", changed, 22, (size - 1) & 0xFFFFFFFF)
    return bytes(changed)


def _bytes_between_members(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        second = sorted(i.header_offset for i in zf.infolist())[1]
    # the directory points at each member where it is, so zipfile reads the package as before
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            if info.header_offset == second:
                buffer.write(b"hidden data no tool reads")
                dst.start_dir = buffer.tell()  # where zipfile writes the next member
            dst.writestr(info, src.read(info))
    return buffer.getvalue()


def _garbage_after_deflate_stream(contents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in contents.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            if name == "index.html":
                deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
                raw = deflate.compress(data) + deflate.flush() + b"hidden"
                info.compress_type = zipfile.ZIP_DEFLATED
                info.CRC = zlib.crc32(data)
                info.file_size, info.compress_size = len(data), len(raw)
                info.header_offset = buffer.tell()
                buffer.write(info.FileHeader() + raw)
                zf.filelist.append(info)
                zf.NameToInfo[name] = info
                zf.start_dir = buffer.tell()
            else:
                zf.writestr(info, data)
    return buffer.getvalue()


def _with_comment(data: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.comment = b"hidden"
    return buffer.getvalue()


def _encrypted_flag(data: bytes) -> bytes:
    changed = bytearray(data)
    directory = changed.index(b"PK\x01\x02")
    changed[directory + 8] |= 0x01
    changed[6] |= 0x01
    return bytes(changed)


def _deep_manifest(contents: dict[str, bytes]) -> bytes:
    members = dict(contents)
    members["manifest.json"] = b"[" * 100_000 + b"]" * 100_000
    return _rezip(members)


def _huge_manifest(contents: dict[str, bytes]) -> bytes:
    members = dict(contents)
    members["manifest.json"] = b" " * (65 << 20) + contents["manifest.json"]
    return _rezip(members)


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (lambda d, c: d[:-1], "end record|cannot be read"),
        (lambda d, c: d[: len(d) // 2], "end record|cannot be read"),
        (lambda d, c: b"", "not a readable ZIP|cannot be read"),
        (lambda d, c: d + b"hidden", "end record"),
        (lambda d, c: b"prefix" + d, "does not follow|central directory|cannot be read"),
        (lambda d, c: _changed_local_method(d), "local header"),
        (lambda d, c: _changed_local_size(d), "local header"),
        (lambda d, c: _bytes_between_members(d), "does not follow"),
        (lambda d, c: _garbage_after_deflate_stream(c), "does not end where the member ends"),
        (lambda d, c: _with_comment(d), "comment"),
        (lambda d, c: _encrypted_flag(d), "encrypted"),
        (lambda d, c: _deep_manifest(c), "not valid JSON"),
        (lambda d, c: _huge_manifest(c), "far larger"),
        (
            lambda d, c: _rezip(c, manifest=lambda m: m.update(schema=["gdprkit.export/2"])),
            "unknown schema",
        ),
    ],
    ids=[
        "last byte cut",
        "cut in half",
        "empty file",
        "bytes after the end record",
        "bytes before the first member",
        "local header names another method",
        "local header gives another size",
        "bytes between two members",
        "bytes after a member's deflate stream",
        "archive comment",
        "encrypted member",
        "manifest nested 100,000 deep",
        "manifest of 65 MiB of spaces",
        "schema that is a list",
    ],
)
def test_a_tampered_archive_is_refused_with_a_typed_error(
    package: rights.ExportResult, tmp_path: Path, tamper: Callable[..., bytes], problem: str
) -> None:
    original = package.path.read_bytes()
    target = tmp_path / "tampered.zip"
    target.write_bytes(tamper(original, _contents(original)))
    with pytest.raises(gk.PackageIntegrityError, match=problem) as caught:
        rights.verify_package(target)
    assert "C-1042" not in str(caught.value) and str(caught.value).isprintable()


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda m: m["files"][0].update(rows=99), "number of rows"),
        (lambda m: m["record_kinds"][0].update(rows=99), "number of rows"),
        (lambda m: m["files"][0].update(bytes=1), "size"),
        (lambda m: m.update(personal_data_held=False), "personal_data_held"),
        (lambda m: m["files"][0].update(rows="3"), "no count"),
    ],
    ids=["a file's rows", "a kind's rows", "a file's size", "nothing held", "rows as text"],
)
def test_a_manifest_that_contradicts_its_files_is_refused(
    package: rights.ExportResult, tmp_path: Path, edit: Callable[[dict[str, object]], None],
    problem: str,
) -> None:  # fmt: skip
    target = tmp_path / "edited.zip"
    target.write_bytes(_rezip(_contents(package.path.read_bytes()), manifest=edit))
    with pytest.raises(gk.PackageIntegrityError, match=problem):
        rights.verify_package(target)


def test_the_package_digest_catches_an_edit_the_manifest_cannot(
    package: rights.ExportResult, tmp_path: Path
) -> None:
    """The manifest is not signed: a consistent edit is found only against the package's
    SHA-256 kept elsewhere (ExportResult.sha256, the audit log's export.produced entry)."""
    assert rights.verify_package(package.path, sha256=package.sha256)["scope"] == "access"
    assert rights.verify_package(package.path, sha256=package.sha256.upper())
    target = tmp_path / "edited.zip"
    target.write_bytes(
        _rezip(_contents(package.path.read_bytes()), manifest=lambda m: m.update(scope="x"))
    )
    assert rights.verify_package(target)["scope"] == "x"
    with pytest.raises(gk.PackageIntegrityError, match="changed after it was written"):
        rights.verify_package(target, sha256=package.sha256)
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        rights.verify_package(package.path, sha256="abc")
    with pytest.raises(TypeError, match="str"):
        rights.verify_package(package.path, sha256=b"0" * 64)  # type: ignore[arg-type]


@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "with data descriptors"])
def test_a_package_written_again_by_zipfile_still_verifies(
    package: rights.ExportResult, tmp_path: Path, seekable: bool
) -> None:
    target = tmp_path / "again.zip"
    target.write_bytes(_rezip(_contents(package.path.read_bytes()), seekable=seekable))
    manifest = rights.verify_package(target)
    assert manifest == copy.deepcopy(package.manifest)

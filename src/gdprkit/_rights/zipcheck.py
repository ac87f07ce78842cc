"""Reading an export package's ZIP strictly: every byte accounted for, read one way only.

A ZIP names each member twice, in its local header and in the central
directory, and unzip tools differ in which one they believe: a package whose
two copies disagree (another compression method, other sizes) would verify
here and unpack as something else there. Bytes between members, after a
member's compressed data or before the central directory are read by no
tool, so they could carry anything. So a package is read as gdprkit writes
it: members back to back from the first byte, each local header agreeing
with its central directory entry, each deflate stream ending exactly where
the member ends, the end record closing the file, no comments, no
encryption, no other compression than stored or deflated. Any other layout,
and any way the archive fails to read, is a
:class:`~gdprkit.PackageIntegrityError`.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Final

from gdprkit._errors import PackageIntegrityError

__all__ = ["check_layout", "read_member"]

_LOCAL: Final = struct.Struct("<4sHHHHHIIIHH")
_DESCRIPTOR_SIG: Final = b"PK\x07\x08"
_END: Final = struct.Struct("<4s4H2LH")
_END64: Final = struct.Struct("<4sQ2H2L4Q")
_LOCATOR: Final = struct.Struct("<4sLQL")
_ZIP64_EXTRA: Final = 0x0001
_ENCRYPTED: Final = 0x0001 | 0x0040 | 0x2000
_DESCRIPTOR: Final = 0x0008
_METHODS: Final = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_CHUNK: Final = 1 << 20


def _fail(name: str, problem: str) -> PackageIntegrityError:
    return PackageIntegrityError(f"the member {ascii(name)[:60]} {problem}")


def _read_exact(fh: IO[bytes], offset: int, size: int) -> bytes:
    fh.seek(offset)
    data = fh.read(size)
    if len(data) != size:
        raise PackageIntegrityError("the archive ends inside a member (it was truncated)")
    return data


def _zip64_sizes(extra: bytes, name: str) -> tuple[int, int] | None:
    """The (uncompressed, compressed) sizes of a local header's ZIP64 field; refuse other fields."""
    sizes = None
    while extra:
        if len(extra) < 4:
            raise _fail(name, "has a malformed extra field in its local header")
        kind, length = struct.unpack_from("<HH", extra)
        body, extra = extra[4 : 4 + length], extra[4 + length :]
        if kind != _ZIP64_EXTRA or len(body) != length or length < 16:
            raise _fail(name, "has an extra field gdprkit does not write in its local header")
        sizes = struct.unpack_from("<QQ", body)
    return sizes


def _local_end(fh: IO[bytes], info: zipfile.ZipInfo) -> tuple[int, int]:
    """Check a member's local header against its central directory entry.

    Returns where its compressed data starts and where the member (with its
    data descriptor, if any) ends.
    """
    name = info.filename
    if info.flag_bits & _ENCRYPTED:
        raise _fail(name, "is encrypted")
    if info.compress_type not in _METHODS:
        raise _fail(name, "is compressed with a method gdprkit does not write")
    if info.comment or info.volume:
        raise _fail(name, "carries a comment, or lies on another disk")
    header = _read_exact(fh, info.header_offset, _LOCAL.size)
    sig, _, flags, method, time, day, crc, csize, usize, nlen, elen = _LOCAL.unpack(header)
    stamp = ((day >> 9) + 1980, (day >> 5) & 0xF, day & 0x1F, time >> 11, (time >> 5) & 0x3F,
             (time & 0x1F) * 2)  # fmt: skip
    raw_name = _read_exact(fh, info.header_offset + _LOCAL.size, nlen)
    encoded = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    if (sig, flags, method, stamp, raw_name) != (
        b"PK\x03\x04",
        info.flag_bits,
        info.compress_type,
        info.date_time,
        encoded,
    ):
        raise _fail(name, "has a local header that differs from its central directory entry")
    zip64 = _zip64_sizes(_read_exact(fh, info.header_offset + _LOCAL.size + nlen, elen), name)
    start = info.header_offset + _LOCAL.size + nlen + elen
    end = start + info.compress_size
    expected = (info.CRC, info.compress_size, info.file_size)
    if flags & _DESCRIPTOR:
        return start, _descriptor_end(fh, end, name, wide=zip64 is not None, expected=expected)
    if zip64 is not None and (csize, usize) == (0xFFFFFFFF, 0xFFFFFFFF):
        usize, csize = zip64
    if (crc, csize, usize) != expected:
        raise _fail(name, "has a local header that differs from its central directory entry")
    return start, end


def _descriptor_end(
    fh: IO[bytes], at: int, name: str, *, wide: bool, expected: tuple[int, int, int]
) -> int:
    """Check a member's data descriptor (CRC and sizes after its data); return where it ends."""
    fmt = "<LQQ" if wide else "<LLL"
    size = struct.calcsize(fmt)
    head = _read_exact(fh, at, 4)
    if head == _DESCRIPTOR_SIG:
        at += 4
    if struct.unpack(fmt, _read_exact(fh, at, size)) != expected:
        raise _fail(name, "has a data descriptor that differs from its central directory entry")
    return at + size


def _directory_end(fh: IO[bytes], size: int) -> tuple[int, int, int, int]:
    """The central directory's offset, size and entry count, and where the end records start.

    The end record must close the file with no comment, and a ZIP64 end
    record and locator (if any) must sit right before it; the archive is one
    disk.
    """
    if size < _END.size:
        raise PackageIntegrityError("not a readable ZIP export package")
    end_at = size - _END.size
    sig, disk, cd_disk, here, count, cd_size, cd_offset, comment = _END.unpack(
        _read_exact(fh, end_at, _END.size)
    )
    if sig != b"PK\x05\x06" or comment:
        raise PackageIntegrityError("the archive does not end with its end record (bytes follow)")
    if 0xFFFFFFFF in (cd_size, cd_offset) or count == 0xFFFF:
        locator_at = end_at - _LOCATOR.size
        sig, _, end_at, _ = _LOCATOR.unpack(_read_exact(fh, locator_at, _LOCATOR.size))
        record = _read_exact(fh, end_at, _END64.size)
        sig64, _, _, _, disk, cd_disk, here, count, cd_size, cd_offset = _END64.unpack(record)
        if sig != b"PK\x06\x07" or sig64 != b"PK\x06\x06" or end_at + _END64.size != locator_at:
            raise PackageIntegrityError("the archive's ZIP64 end records are malformed")
    if (disk, cd_disk, here) != (0, 0, count):
        raise PackageIntegrityError("the archive's end record does not describe one whole archive")
    return cd_offset, cd_size, count, end_at


def check_layout(fh: IO[bytes], zf: zipfile.ZipFile) -> dict[str, tuple[int, int]]:
    """Check the whole archive's layout; return where each member's compressed data lies.

    Members must follow each other from the first byte with nothing in
    between, and the central directory must follow the last one and reach
    the end records.
    """
    if zf.comment:
        raise PackageIntegrityError("the archive carries a comment")
    size = fh.seek(0, 2)
    cd_offset, cd_size, count, records_at = _directory_end(fh, size)
    if count != len(zf.infolist()):
        raise PackageIntegrityError("the archive's end record counts other members than it holds")
    spans: dict[str, tuple[int, int]] = {}
    at = 0
    for info in sorted(zf.infolist(), key=lambda i: i.header_offset):
        if info.header_offset != at:
            raise _fail(info.filename, "does not follow the member before it (bytes in between)")
        start, at = _local_end(fh, info)
        spans[info.filename] = (start, start + info.compress_size)
    if cd_offset != at or cd_offset + cd_size != records_at:
        raise PackageIntegrityError("the central directory does not follow the last member")
    return spans


def _raw(fh: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """The bytes of ``[start, end)`` of the archive, in pieces."""
    fh.seek(start)
    left = end - start
    while left:
        chunk = fh.read(min(_CHUNK, left))
        if not chunk:
            raise PackageIntegrityError("the archive ends inside a member (it was truncated)")
        left -= len(chunk)
        yield chunk


def _inflated(pieces: Iterable[bytes], name: str) -> Iterator[bytes]:
    """Inflate a raw deflate stream in bounded pieces; it must end exactly with its input."""
    inflate = zlib.decompressobj(-15)
    try:
        for data in pieces:
            while data:
                yield inflate.decompress(data, _CHUNK)  # bounded: a small member may inflate hugely
                data = inflate.unconsumed_tail
        yield inflate.flush()
    except zlib.error:
        raise _fail(name, "cannot be decompressed (corrupt data)") from None
    if not inflate.eof or inflate.unused_data:
        raise _fail(name, "has compressed data that does not end where the member ends")


def read_member(
    fh: IO[bytes], info: zipfile.ZipInfo, span: tuple[int, int], sink: Callable[[bytes], None]
) -> None:
    """Pass a member's content to ``sink`` in pieces, checking its CRC-32 and its size.

    A deflate stream must end exactly at the member's last byte (bytes after
    it would be read by no tool), and no more is inflated than the size the
    central directory gives.
    """
    pieces = _raw(fh, *span)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        pieces = _inflated(pieces, info.filename)
    crc = 0
    length = 0
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
        length += len(piece)
        if length > info.file_size:
            raise _fail(info.filename, "holds more than its size says (corrupt data)")
        sink(piece)
    if (crc, length) != (info.CRC, info.file_size):
        raise _fail(info.filename, "does not match its CRC-32 or size (corrupt data)")

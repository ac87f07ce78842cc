"""Re-checking an export package: every file the manifest lists, by SHA-256, and nothing else.

A package is also refused when a member could not be unpacked safely: a path
that leaves the folder it is unpacked into ("zip-slip"), a link, or two
members whose names differ only in case. Packages of every manifest schema
gdprkit has written (:data:`~gdprkit._rights.manifest.READABLE_SCHEMAS`) verify.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from typing import Any

from gdprkit._errors import PackageIntegrityError
from gdprkit._rights.manifest import READABLE_SCHEMAS
from gdprkit._rights.names import duplicate_member, member_problem

__all__ = ["verify_package"]


def verify_package(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Re-check an export package: every file the manifest lists, by SHA-256, and nothing else.

    Returns the manifest; raises :class:`~gdprkit.PackageIntegrityError`
    naming the first file that is missing, extra or changed, or a member
    that would be unpacked outside its folder.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        raise PackageIntegrityError("not a readable ZIP export package") from None
    with zf:
        _check_members(zf)
        manifest = _read_manifest(zf)
        if not isinstance(manifest, dict) or manifest.get("schema") not in READABLE_SCHEMAS:
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


def _read_manifest(zf: zipfile.ZipFile) -> object:
    """The parsed ``manifest.json`` of the package, or a :class:`PackageIntegrityError`.

    The error is raised outside the handler: a JSON error carries the whole
    document (the subject's id among it), which ``from None`` would only hide
    while keeping it reachable as ``__context__``.
    """
    problem = None
    try:
        return json.loads(zf.read("manifest.json"))
    except KeyError:
        problem = "the package has no manifest.json"
    except (ValueError, zipfile.BadZipFile):
        problem = "manifest.json is not valid JSON"
    raise PackageIntegrityError(problem)


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

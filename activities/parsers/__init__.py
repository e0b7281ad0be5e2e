"""Every tracker file to one normalised `Track`.

`parse(data, filename)` detects the format from the content (never the extension), unwraps
gzip, and hands the bytes to the parser registered for that format. `expand(data, filename)`
opens ZIP bulk exports into their member files, within fixed limits.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from activities.parsers import fit, gpx, kml, recording, tcx
from activities.parsers.base import MAX_FILE_BYTES, ParseError, check_size
from activities.track import Track

__all__ = [
    "MAX_FILE_BYTES",
    "PARSERS",
    "FileResult",
    "ParseError",
    "detect_format",
    "expand",
    "parse",
    "parse_upload",
]

Parser = Callable[[bytes, str], list[Track]]

PARSERS: dict[str, Parser] = {
    "gpx": gpx.parse,
    "tcx": tcx.parse,
    "fit": fit.parse,
    "kml": kml.parse,
    "recording": recording.parse,
}

XML_ROOTS = {b"gpx": "gpx", b"TrainingCenterDatabase": "tcx", b"kml": "kml"}

MAX_ARCHIVE_MEMBERS = 500
MAX_ARCHIVE_TOTAL_BYTES = 200 * 1024 * 1024
# Members larger than this must not expand more than MAX_COMPRESSION_RATIO times.
# Activity XML compresses 10–30×; bombs compress hundreds to millions of times.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06")


def gunzip(data: bytes) -> bytes:
    """Unwrap (possibly nested or concatenated) gzip, never beyond MAX_FILE_BYTES."""
    from activities import parsers

    while data.startswith(GZIP_MAGIC):
        out = io.BytesIO()
        rest = data
        try:
            while rest.startswith(GZIP_MAGIC):
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out.write(d.decompress(rest, parsers.MAX_FILE_BYTES + 1 - out.tell()))
                if out.tell() > parsers.MAX_FILE_BYTES or d.unconsumed_tail:
                    raise ParseError("too_large")
                if not d.eof:
                    raise ParseError("malformed_file")
                rest = d.unused_data
        except zlib.error as exc:
            raise ParseError("malformed_file") from exc
        data = out.getvalue()
    return data


def detect_format(data: bytes) -> str:
    """The registry key for these bytes, judged from the content alone."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        # A JSON object: only browser recordings are JSON; the parser checks the rest.
        return "recording"
    if head.startswith(b"<"):
        pos = 0
        # Skip the declaration, comments, processing instructions and a DOCTYPE.
        while True:
            start = head.find(b"<", pos)
            if start < 0 or start + 1 >= len(head):
                break
            if head[start + 1 : start + 2] in (b"?", b"!"):
                pos = start + 1
                continue
            name = head[start + 1 :].split(None, 1)[0].split(b">", 1)[0].split(b"/", 1)[0]
            local = name.rpartition(b":")[2]
            if local in XML_ROOTS:
                return XML_ROOTS[local]
            break
    raise ParseError("unknown_format")


def parse(data: bytes, filename: str = "") -> list[Track]:
    """One file's tracks (usually one); raises ParseError for anything unusable."""
    check_size(len(data))
    if not data or data.isspace():
        raise ParseError("no_points")
    data = gunzip(data)
    if is_zip(data):
        raise ParseError("unknown_format")
    return PARSERS[detect_format(data)](data, filename)


def expand(data: bytes, filename: str = "") -> list[tuple[str, bytes]]:
    """The files inside an upload: a ZIP's members, else the upload itself.

    Nested archives are returned as they are (parsing them then fails as unknown_format).
    """
    if not is_zip(data):
        return [(filename, data)]
    from activities import parsers

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not _ignored(info)]
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ParseError("malformed_file") from exc
    kmz = _kmz_document(members)
    if kmz is not None:
        # A KMZ is one KML document with its images: the document is the file.
        members = [kmz]
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise ParseError("too_large")
    if sum(info.file_size for info in members) > MAX_ARCHIVE_TOTAL_BYTES:
        raise ParseError("archive_bomb")
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ParseError("archive_bomb")
    result: list[tuple[str, bytes]] = []
    total = 0
    for info in members:
        limit = min(parsers.MAX_FILE_BYTES, MAX_ARCHIVE_TOTAL_BYTES - total)
        try:
            with archive.open(info) as fh:
                # Declared sizes can lie: never read past the limit.
                content = fh.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            content = b""  # parsing the empty member reports it
        if len(content) > limit:
            raise ParseError("archive_bomb")
        total += len(content)
        result.append((info.filename, content))
    return result


def _kmz_document(members: list[zipfile.ZipInfo]) -> zipfile.ZipInfo | None:
    """A KMZ's document: its `doc.kml`, or its only .kml at the top, when nothing in the
    archive is another activity file."""
    names = [info.filename.lower() for info in members]
    if any(name.endswith((".gpx", ".tcx", ".fit", ".gz", ".zip")) for name in names):
        return None
    top = [info for info in members if "/" not in info.filename and _is_kml(info)]
    for info in top:
        if info.filename.lower() == "doc.kml":
            return info
    return top[0] if len(top) == 1 else None


def _is_kml(info: zipfile.ZipInfo) -> bool:
    return info.filename.lower().endswith(".kml")


def _ignored(info: zipfile.ZipInfo) -> bool:
    """Folders, empty members and the resource forks macOS adds to archives it makes
    (`__MACOSX/…`, `._name`): not activity files, so not failed ones either."""
    if info.is_dir() or info.file_size == 0:
        return True
    parts = info.filename.replace("\\", "/").split("/")
    return "__MACOSX" in parts[:-1] or parts[-1].startswith("._")


@dataclass
class FileResult:
    name: str
    tracks: list[Track]
    error: ParseError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_upload(data: bytes, filename: str = "") -> list[FileResult]:
    """Every file of an upload with its own result; one bad file never spoils the others."""
    try:
        check_size(len(data)) if not is_zip(data) else None
        files = expand(data, filename)
    except ParseError as error:
        return [FileResult(filename, [], error)]
    if not files:  # an archive of nothing but folders, empty files and macOS extras
        return [FileResult(filename, [], ParseError("no_points"))]
    results = []
    for name, content in files:
        try:
            results.append(FileResult(name, parse(content, name)))
        except ParseError as error:
            results.append(FileResult(name, [], error))
    return results

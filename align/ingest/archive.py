"""ZIP containers (DOCX, ODT, EPUB) and their XML, read defensively.

A hostile file can declare members that expand to gigabytes (a zip bomb) or XML that
pulls in local files or the network (external entities). So a member is read only
after its declared size and compression ratio pass, never past its declared size, with
at most ``max_bytes`` (the ``max_input_mb`` setting) read from one archive in all; XML is
parsed with no DTD, no entity expansion and no network, and XML that declares entities
(which DOCX, ODT and EPUB writers never do) is refused.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from align.errors import InputError

# Word's and LibreOffice's XML compresses 5-20x; a member that expands more than this
# (and past RATIO_FLOOR bytes) is a zip bomb, refused before a byte is inflated.
MAX_RATIO = 100
RATIO_FLOOR = 1_000_000
_ENTITY_MARKERS = tuple("<!ENTITY".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


def safe_xml_parser() -> etree.XMLParser:
    """No DTD loaded, no entity resolved (internal or external), no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse_xml(data: bytes, path: Path, member: str) -> etree._Element:
    """The root element of ``data`` (the archive member ``member`` of ``path``); broken XML,
    and XML that declares entities, are InputErrors."""
    try:
        root = etree.fromstring(data, safe_xml_parser())
    except etree.XMLSyntaxError as err:
        raise InputError(path, f"broken XML in {member}: {_one_line(err)}") from None
    return without_entities(root, path, member)


def without_entities(root: etree._Element, path: Path, member: str) -> etree._Element:
    """``root``, unless its document declares entities: then an InputError."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise _entities(path, member)
    return root


def _entities(path: Path, member: str) -> InputError:
    return InputError(path, f"refused: {member} declares XML entities (<!ENTITY>), which no word processor "
                            "writes and which could read local files")


class Archive:
    """A ZIP archive held in memory whose members are read within the limits above."""

    def __init__(self, data: bytes, path: Path, max_bytes: int):
        self.path = path
        self.data = data
        self.max_bytes = max_bytes
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError) as err:
            raise InputError(path, f"broken or truncated archive: {_one_line(err)}") from None
        self._members = {info.filename: info for info in infos}

    @property
    def names(self) -> list[str]:
        return list(self._members)

    def has(self, name: str) -> bool:
        return name in self._members

    def check_members(self) -> None:
        """Every member within the limits and no XML member declaring entities, before a
        library that reads them all with parsers of its own (python-docx) opens the archive."""
        total = 0
        for info in self._members.values():
            self._check(info)
            total += info.file_size
        if total > self.max_bytes:
            raise InputError(self.path, f"refused: it expands to {total / 1e6:.1f} MB, over the limit of "
                                        f"{self.max_bytes / 1e6:.1f} MB (raise it with --set max_input_mb=N)")
        for name in self._members:
            if name.endswith((".xml", ".rels")):
                data = self.read(name)
                if any(marker in data for marker in _ENTITY_MARKERS):
                    raise _entities(self.path, name)
        self._read_total = 0  # what was read here is read again by that library

    def _check(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        if info.flag_bits & 0x1:
            raise InputError(self.path, f"encrypted archive ({name} needs a password): save it without one")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(self.path, f"refused as a zip bomb: {name} expands {info.compress_size} bytes "
                                        f"to {info.file_size} (over {MAX_RATIO}x)")

    def read(self, name: str) -> bytes:
        """The member's bytes; a missing, encrypted, oversized or damaged member is an InputError."""
        info = self._members.get(name)
        if info is None:
            raise InputError(self.path, f"broken archive: {name} is missing")
        self._check(info)
        if self._read_total + info.file_size > self.max_bytes:
            raise InputError(self.path, f"refused: its text expands past the limit of {self.max_bytes / 1e6:.1f} MB "
                                        f"({name} alone is {info.file_size / 1e6:.1f} MB; "
                                        "raise it with --set max_input_mb=N)")
        try:
            with self._zip.open(info) as member:
                data = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as err:
            raise InputError(self.path, f"broken or truncated archive ({name}): {_one_line(err)}") from None
        if len(data) != info.file_size:
            raise InputError(self.path, f"broken archive: {name} is not the size it declares")
        self._read_total += len(data)
        return data

    def xml(self, name: str) -> etree._Element:
        """The member parsed as XML with `safe_xml_parser`."""
        return parse_xml(self.read(name), self.path, name)

    def text(self, name: str) -> str:
        """A small text member (``mimetype``), as ASCII."""
        return self.read(name).decode("ascii", errors="replace").strip()


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__

"""Safe XML parsing shared by the GPX and TCX readers.

Both readers parse with :mod:`defusedxml`, which refuses entity declarations
(the "billion laughs" expansion) and external entities and DTDs before they are
expanded or fetched.  Parse errors become :class:`~runback.errors.UnreadableFileError`
naming the line (and column) the parser stopped at.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import defusedxml.ElementTree as DET
from defusedxml.common import DefusedXmlException

from runback.errors import UnreadableFileError

_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def decode_xml(data: bytes, name: str) -> str:
    """The document as text: UTF-8 (with or without a byte-order mark), UTF-16, or as declared."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        match = _DECLARED_ENCODING.match(data.lstrip()[:200])
        encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFileError(name, f"not valid {encoding} text: {exc}") from exc


def parse_xml(text: str, name: str) -> ET.Element:
    """Parse ``text`` safely; entity declarations, external entities and DTDs are refused.

    Raises
    ------
    UnreadableFileError
        Empty or malformed XML (with the parser's line and column), or a document
        that declares entities.
    """
    if not text.strip():
        raise UnreadableFileError(name, "empty file")
    try:
        root: ET.Element = DET.fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        message = str(exc).split(":")[0]
        raise UnreadableFileError(name, f"malformed XML: {message} (column {column})", line=line) from exc
    except DefusedXmlException as exc:
        raise UnreadableFileError(
            name, f"refused unsafe XML: {type(exc).__name__} (entity declarations and external entities are not allowed)"
        ) from exc
    return root


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FIRST_TAG = re.compile(r"<(?![?!])([^\s>/]+)")


def check_xml(text: str, name: str) -> str:
    """Refuse unsafe or empty XML cheaply, and return the root element's local name.

    Entity declarations (the "billion laughs") and external entities can only
    come in a document type declaration: a document without ``<!DOCTYPE`` is
    safe for any parser, and one with it is parsed by :func:`parse_xml`, which
    refuses entities.  The root name is read from the first tag, so a parser
    that accepts any document (gpxpy) can be told it got the wrong kind.
    """
    if not text.strip():
        raise UnreadableFileError(name, "empty file")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return local(parse_xml(text, name).tag)
    match = _FIRST_TAG.search(_COMMENT.sub("", text[:65536]))
    if match is None:
        raise UnreadableFileError(name, "malformed XML: no root element", line=1)
    return local(match.group(1))


def local(tag: str) -> str:
    """An element's tag without its namespace (``{ns}Trackpoint`` -> ``Trackpoint``)."""
    return tag.rsplit("}", 1)[-1]


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp as aware UTC; a time without a zone is taken as UTC."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_float(text: str | None) -> float | None:
    """A number from element text; blank or garbled text is ``None``."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN is "absent"

"""Safe XML parsing shared by the GPX and TCX readers.

Both readers parse with :mod:`defusedxml`, which refuses entity declarations
(the "billion laughs" expansion) and external entities and DTDs before they are
expanded or fetched.  Parse errors become :class:`~runback.errors.UnreadableFileError`
naming the line (and column) the parser stopped at.

Before any tree is built, :func:`check_structure` streams the document once
through expat (no tree, no recursion) and refuses nesting deeper than
:data:`MAX_XML_DEPTH` and more than :data:`MAX_NAMESPACES` distinct namespace
declarations: gpxpy copies its extension elements recursively (160,000 nested
``<extensions>`` overflow the C stack and kill the interpreter) and registers
every namespace declaration in a global table (quadratic in their number).
"""

from __future__ import annotations

import gc
import io
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import NoReturn
from xml.parsers import expat

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
    except (ValueError, LookupError) as exc:  # UnicodeError too: encoding="undefined" raises it (found by the fuzz)
        raise UnreadableFileError(name, f"not valid {encoding} text: {exc}") from exc


MAX_XML_DEPTH = 100
"""The deepest element nesting read; a GPX or TCX track point sits 5 to 8 levels deep."""

MAX_NAMESPACES = 100
"""The most distinct namespace declarations read; real files declare fewer than ten."""

MAX_STRAY_XMLNS = 1000
"""The most times ``xmlns`` may appear outside namespace declarations (gpxpy scans for it with a regex
whose cost grows with each such occurrence times the distance to the next ``=``)."""


class _Refused(Exception):
    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def check_structure(text: str, name: str) -> None:
    """Refuse XML a recursive parser could not survive, streaming it once without building a tree.

    Raises
    ------
    UnreadableFileError
        Nesting deeper than :data:`MAX_XML_DEPTH`, more than :data:`MAX_NAMESPACES`
        distinct namespace declarations, entity declarations, or malformed XML
        (with the line and column expat stopped at).
    """
    parser = expat.ParserCreate(namespace_separator="}")
    depth = 0
    namespaces: set[tuple[str | None, str]] = set()
    declarations = 0

    def start(tag: str, attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _Refused(f"elements nested more than {MAX_XML_DEPTH} deep", parser.CurrentLineNumber)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1

    def namespace(prefix: str | None, uri: str | None) -> None:
        nonlocal declarations
        declarations += 1
        namespaces.add((prefix, uri or ""))
        if len(namespaces) > MAX_NAMESPACES:
            raise _Refused(f"more than {MAX_NAMESPACES} different namespace declarations", parser.CurrentLineNumber)

    def entity(*args: object) -> NoReturn:
        raise _Refused(
            "refused unsafe XML: EntitiesForbidden (entity declarations and external entities are not allowed)",
            parser.CurrentLineNumber,
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartNamespaceDeclHandler = namespace
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = entity
    try:
        parser.Parse(text, True)
    except _Refused as exc:
        raise UnreadableFileError(name, exc.reason, line=exc.line) from None
    except expat.ExpatError as exc:
        message = expat.errors.messages.get(exc.code, str(exc).split(":")[0]) if exc.code else str(exc)
        raise UnreadableFileError(name, f"malformed XML: {message} (column {exc.offset})", line=exc.lineno) from exc
    except RecursionError as exc:  # expat handlers are not recursive; a safety net, never seen
        raise UnreadableFileError(name, "XML too deeply nested") from exc
    stray = text.count("xmlns") - declarations
    if stray > MAX_STRAY_XMLNS:
        raise UnreadableFileError(name, f"'xmlns' appears {stray} times outside namespace declarations: refused")


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
    check_structure(text, name)
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
    if may_hold_entities(text):
        return local(parse_xml(text, name).tag)
    check_structure(text, name)
    tag = first_tag(text)
    if tag is None:
        raise UnreadableFileError(name, "malformed XML: no root element", line=1)
    return local(tag)


def first_tag(text: str) -> str | None:
    """The name of the first element tag in the document's first 64 KiB, as written (``gpx``, ``g:gpx``), or ``None``."""
    match = _FIRST_TAG.search(_COMMENT.sub("", text[:65536]))
    return match.group(1) if match else None


def may_hold_entities(text: str) -> bool:
    """Whether the document could declare entities: only a document type declaration can."""
    # one scan for "<!" (none in most GPX and TCX files), two more only where there is one
    return "<!" in text and ("<!DOCTYPE" in text or "<!ENTITY" in text)


def tree_depth(root: ET.Element) -> int:
    """How deep the elements under ``root`` nest (``root`` alone: 1), level by level, without recursion."""
    depth, level = 0, [root]
    while level:
        depth += 1
        level = [child for element in level for child in element]
    return depth


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large tree is built and read.

    A one-megabyte GPX file is some 20,000 elements, each tracked by the
    collector: building its tree with collection on takes three to four times
    as long, in a process that holds many objects (polars, a notebook), as
    without.  A tree holds no reference cycles, so pausing leaves no garbage
    behind; nested and concurrent pauses turn collection back on only at the
    last exit, and only if it was on before the first.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def parse_checked(text: str) -> ET.Element | None:
    """The tree of a document that passes every check of :func:`parse_xml`, in one pass, or ``None``.

    One C ElementTree parse instead of :func:`parse_xml`'s pre-scan plus
    pure-Python parse: no document type declaration (so no entities), the
    namespace limits of :func:`check_structure` (see :func:`within_limits`)
    and, once built, no deeper than :data:`MAX_XML_DEPTH`.  ``None`` for
    anything else (empty or malformed too): :func:`parse_xml` then gives the
    error, with its line and column.  Call it with collection paused
    (:func:`gc_paused`).
    """
    if not text or text.isspace() or may_hold_entities(text):  # isspace: no copy of the text, as strip() makes
        return None
    parsed = parse_plain(text)
    if parsed is None:
        return None
    root, namespaces = parsed
    if not within_limits(text, namespaces) or tree_depth(root) > MAX_XML_DEPTH:
        return None
    return root


def within_limits(text: str, namespaces: list[tuple[str, str]]) -> bool:
    """Whether a document with these namespace declarations passes :func:`check_structure`'s namespace limits.

    ``namespaces`` holds one ``(prefix, uri)`` per declaration, as
    :func:`parse_plain` collects them: at most :data:`MAX_NAMESPACES` distinct
    ones, and at most :data:`MAX_STRAY_XMLNS` other ``xmlns`` in the text.
    """
    return (
        len(set(namespaces)) <= MAX_NAMESPACES
        and text.count("xmlns") - len(namespaces) <= MAX_STRAY_XMLNS
    )


_UTF8_DECLARED = re.compile(r"""encoding\s*=\s*["']utf-?8["']""", re.I)
_ENCODING_DECLARED = re.compile(r"""encoding\s*=\s*(["'])[^"']*\1""")


def parse_plain(text: str) -> tuple[ET.Element, list[tuple[str, str]]] | None:
    """Parse a document without a document type declaration with the C ElementTree parser.

    The fast paths of the GPX and TCX readers build their tree with it: without
    ``<!DOCTYPE`` there can be no entity declaration nor external entity
    (callers check :func:`may_hold_entities` first), and the C parser builds the
    tree about three times as fast as :mod:`defusedxml`'s pure-Python one.

    Returns
    -------
    (ET.Element, list of (str, str)) or None
        The root and one ``(prefix, uri)`` per namespace declaration (prefix
        ``""`` for a default namespace); ``None`` for malformed XML: the caller
        then takes the reference path, whose error names the line and column.
    """
    # expat parses bytes, as the declaration says they are encoded: the text
    # goes as UTF-8, declared so where the file declared another encoding
    # (the text was decoded from it already)
    declaration = text[: text.find("?>") + 2] if text.startswith("<?xml") else ""
    if "encoding" in declaration and not _UTF8_DECLARED.search(declaration):
        utf8, n = _ENCODING_DECLARED.subn('encoding="utf-8"', declaration, count=1)
        if not n:
            return None
        text = utf8 + text[len(declaration) :]
    data = text.encode("utf-8", "surrogatepass")
    try:
        # iterparse reports only the declarations here; its root is the whole tree
        events = ET.iterparse(io.BytesIO(data), events=("start-ns",))
        namespaces: list[tuple[str, str]] = [declared for _, declared in events]
    except (ET.ParseError, ValueError):  # ValueError: text the parser cannot even take (never seen)
        return None
    return events.root, namespaces  # type: ignore[attr-defined]


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

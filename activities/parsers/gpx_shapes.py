"""Reading the points of a regular GPX file without building a tree of them.

Trackers write every point of a file in one or two shapes, e.g.
``<trkpt lat=".." lon=".."><ele>..</ele><time>..</time><extensions>…</trkpt>``.
For such a file a regular expression is made from the shapes of its own points
and run over the raw bytes: that happens in C and yields each value's text
without a Python step per point. The document is still checked by libxml2
(without building a tree), and everything but the points is parsed as usual,
with each point replaced by an empty placeholder, so that tracks, segments,
sport and device are read by the same code as for any other file.

A shape is read exactly as the tree reader reads an element: the point's ``lat``
and ``lon``, the text of its last direct ``time`` and ``ele`` child, and the texts
of the heart-rate and cadence elements anywhere under its ``extensions``, of
which the first readable one counts. Whatever this module cannot vouch for makes
`read_points` answer None and the caller read the whole tree instead: CDATA, a
DOCTYPE, processing instructions or comments that mention a point, a value
holding a character reference, points of more than MAX_SHAPES shapes, an
encoding that is not ASCII-compatible, or a point the shapes do not account for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

HR_TAGS = frozenset({"hr", "heartrate"})
CAD_TAGS = frozenset({"cad", "cadence", "runcadence"})
MAX_SHAPES = 4
ROLES = ("lat", "lon", "time", "ele", "hr", "cad")
SEVERAL = ("hr", "cad")  # roles a point may hold several texts for, in document order

# Where a point was taken out of the skeleton.
PLACEHOLDER = b"<trkpt/>"

_NAME = rb"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?"
_POINT_START = re.compile(rb"<((?:[A-Za-z_][\w.\-]*:)?trkpt)(?=[\s/>])")
_TAG = re.compile(
    rb"<(/?)(" + _NAME + rb")((?:\s+" + _NAME + rb"\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_ATTRIBUTE = re.compile(rb"\s+(" + _NAME + rb")\s*=\s*(\"[^\"]*\"|'[^']*')")
_BOM = b"\xef\xbb\xbf"


@dataclass
class Shape:
    """One way a file writes its points: the pattern that matches such a point and,
    for each role, the pattern's groups holding it (None for an empty element)."""

    pattern: bytes
    groups: int
    slots: dict[str, list[int | None]]


def shape_of(point: bytes) -> Shape | None:
    """The shape of one whole ``trkpt`` element, or None where it is not plain markup."""
    parts: list[bytes] = []
    slots: dict[str, list[int | None]] = {role: [] for role in ROLES}
    groups = 0
    stack: list[tuple[bytes, str]] = []  # (qualified, local) names of the open elements
    position = 0
    for tag in _TAG.finditer(point):
        if b"<" in point[position : tag.start()] or (position and not stack):
            return None  # markup the tag pattern does not know, or more than one element
        closing, qname, attributes, empty = tag.groups()
        name = qname.rpartition(b":")[2].decode("ascii")
        role = None
        if closing:
            if not stack or stack[-1][0] != qname or attributes or empty:
                return None
            stack.pop()
            parts.append(b"</" + re.escape(qname) + rb"\s*>")
        else:
            if not stack and name != "trkpt":
                return None
            attribute_parts = _attribute_patterns(attributes, capture=not stack)
            if attribute_parts is None:
                return None
            parts.append(b"<" + re.escape(qname))
            for pattern, attribute in attribute_parts:
                parts.append(pattern)
                if attribute is not None:
                    slots[attribute].append(groups)
                    groups += 1
            parts.append(rb"\s*/>" if empty else rb"\s*>")
            role = _role(stack, name)
            if empty and role:
                slots[role].append(None)
            elif not empty:
                stack.append((qname, name))
        if stack:  # the text up to the next tag: the element's own, or a tail
            if role and not empty:
                slots[role].append(groups)
                groups += 1
                parts.append(rb"([^<]*)")
            else:
                parts.append(rb"[^<]*")
        position = tag.end()
    if stack or not parts or position != len(point):
        return None
    return Shape(b"".join(parts), groups, slots)


def _attribute_patterns(attributes: bytes, *, capture: bool) -> list | None:
    """(pattern, captured attribute or None) for each attribute, in order."""
    result, covered = [], 0
    for attribute in _ATTRIBUTE.finditer(attributes):
        covered += len(attribute.group(0))
        aname, value = attribute.groups()
        quote = re.escape(value[:1])
        taken = aname.decode("ascii") if capture and aname in (b"lat", b"lon") else None
        value = (b"([^" if taken else b"[^") + quote + (b"]*)" if taken else b"]*") + quote
        result.append((rb"\s+" + re.escape(aname) + rb"\s*=\s*" + quote + value, taken))
    return result if covered == len(attributes) else None


def _role(stack: list[tuple[bytes, str]], name: str) -> str | None:
    """What the text of an element opened here holds for the tree reader, if anything."""
    depth = len(stack)
    if depth == 1 and name in ("time", "ele"):
        return name
    if depth >= 2 and stack[1][1] == "extensions":
        lowered = name.lower()
        if lowered in HR_TAGS:
            return "hr"
        if lowered in CAD_TAGS:
            return "cad"
    return None


def _point_at(data: bytes, start: int, qname: bytes) -> bytes | None:
    """The bytes of the ``trkpt`` element whose start tag begins at `start`."""
    head_end = data.find(b">", start)
    if head_end < 0:
        return None
    if data[head_end - 1 : head_end] == b"/":
        return data[start : head_end + 1]
    closing = re.compile(b"</" + re.escape(qname) + rb"\s*>").search(data, head_end)
    return data[start : closing.end()] if closing else None


class _Checker:
    """A parser target that keeps nothing: libxml2 checks the document, no tree is built.

    It notes what the patterns could be fooled by: processing instructions, a
    DOCTYPE and comments that mention a point (CDATA is looked for in the bytes).
    """

    def __init__(self) -> None:
        self.plain = True

    def pi(self, target: str, data: str | None) -> None:
        self.plain = False

    def doctype(self, *args: object) -> None:
        self.plain = False

    def comment(self, text: str) -> None:
        if "trkpt" in text:
            self.plain = False

    def close(self) -> bool:
        return self.plain


def _plain_and_well_formed(data: bytes) -> bool:
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    if body[:1] != b"<" or b"<![CDATA[" in body:
        return False  # space before the declaration, UTF-16 or -32, or CDATA
    parser = etree.XMLParser(
        target=_Checker(), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        plain = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return False
    # Without a tree, an undeclared namespace prefix is only logged; the tree reader
    # has its own way with those.
    return plain and not len(parser.error_log)


@dataclass
class Points:
    """The texts of every point by role, and the document with the points taken out."""

    skeleton: bytes
    count: int
    texts: dict[str, list]  # role → a text or None per point; hr and cad: such lists per slot


def read_points(data: bytes) -> Points | None:
    """The points of a regular GPX file, or None where the whole tree must be read."""
    first = _POINT_START.search(data)
    if first is None or not _plain_and_well_formed(data):
        return None
    shapes: list[Shape] = []
    remaining = data
    while first is not None:
        point = _point_at(remaining, first.start(), first.group(1))
        shape = shape_of(point) if point else None
        if shape is None or len(shapes) == MAX_SHAPES:
            return None
        shapes.append(shape)
        pieces, stride = _split(data, shapes)
        remaining = b"".join(pieces[::stride])
        # A point that none of the shapes matched gives the next shape.
        first = _POINT_START.search(remaining)
    skeleton = PLACEHOLDER.join(pieces[::stride])
    count = (len(pieces) - 1) // stride
    texts = _texts(pieces, shapes, stride, count)
    if b"&" in data and _has_reference(texts):
        return None
    return Points(skeleton=skeleton, count=count, texts=texts)


def _split(data: bytes, shapes: list[Shape]) -> tuple[list, int]:
    """The document split around every point: the text before it, then every shape's
    groups (None in the groups of the shapes the point did not take), and so on."""
    pattern = re.compile(b"|".join(shape.pattern for shape in shapes))
    stride = 1 + sum(shape.groups for shape in shapes)
    return pattern.split(data), stride


def _texts(pieces: list, shapes: list[Shape], stride: int, count: int) -> dict[str, list]:
    """Each role's texts in point order, merged over the shapes."""
    starts, start = [], 1
    for shape in shapes:
        starts.append(start)
        start += shape.groups
    texts: dict[str, list] = {}
    for role in ROLES:
        width = max(len(shape.slots[role]) for shape in shapes) if role in SEVERAL else 1
        columns = []
        for slot in range(width):
            column = None
            for shape, first in zip(shapes, starts, strict=True):
                own = shape.slots[role]
                if role in SEVERAL:
                    index = own[slot] if slot < len(own) else None
                else:
                    index = own[-1] if own else None  # the last one counts, as in the tree
                if index is None:
                    continue  # no such element, or an empty one: no text
                values = pieces[first + index :: stride]
                column = values if column is None else _merge(column, values)
            columns.append(column if column is not None else [None] * count)
        texts[role] = columns if role in SEVERAL else columns[0]
    return texts


def _merge(first: list, second: list) -> list:
    """Where a point took one shape its texts sit in that shape's groups; None in the others'."""
    return [a if a is not None else b for a, b in zip(first, second, strict=True)]


def _has_reference(texts: dict[str, list]) -> bool:
    """Whether a text holds a character reference, which only the tree reader decodes."""
    columns = [column for role in SEVERAL for column in texts[role]]
    columns += [texts[role] for role in ROLES if role not in SEVERAL]
    return any(b"&" in b"".join(filter(None, column)) for column in columns)

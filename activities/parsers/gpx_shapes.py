"""Reading the points of a regular GPX (or TCX) file without building a tree of them.

Trackers write every point of a file in one or two shapes, e.g.
``<trkpt lat=".." lon=".."><ele>..</ele><time>..</time><extensions>…</trkpt>``.
For such a file a regular expression is made from the shape of one of its own
points and run once over the raw bytes: that happens in C and yields each value's
text without a Python step per point (a point of another shape comes out whole and
is read by its own). Everything but the points is parsed strictly as usual, with
each point replaced by an empty placeholder, so that tracks, segments, sport and
device are read by the same code as for any other file. The points themselves are
vouched for by libxml2's check of the whole document (without building a tree),
or, for plain ASCII files, by checks of the bytes and of the shapes that find
whatever that check would (`_plain_bytes`, `_declared_everywhere`).

A shape is read exactly as the tree reader reads an element: the point's ``lat``
and ``lon``, the text of its last direct ``time`` and ``ele`` child, and the texts
of the heart-rate and cadence elements anywhere under its ``extensions``, of
which the first readable one counts. Whatever this module cannot vouch for makes
`read_points` answer None and the caller read the whole tree instead: CDATA, a
DOCTYPE, processing instructions or comments that mention a point, a value
holding a character reference, points of more shapes than the dialect allows, an
encoding that is not ASCII-compatible, a value holding a byte beyond ASCII (which
the tree reader decodes first), or a point the shapes do not account for.

The same reading serves TCX trackpoints (`activities.parsers.tcx`): a `Dialect`
names the point element, the attributes it captures and what each element's text
holds there; `GPX` is the default.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from lxml import etree

HR_TAGS = frozenset({"hr", "heartrate"})
CAD_TAGS = frozenset({"cad", "cadence", "runcadence"})
MAX_SHAPES = 4
ROLES = ("lat", "lon", "time", "ele", "hr", "cad")
SEVERAL = ("hr", "cad")  # roles a point may hold several texts for, in document order

# Where a point was taken out of the skeleton.
PLACEHOLDER = b"<trkpt/>"
# What a role function answers for an element no point of a plain file holds.
NOT_PLAIN = "not plain"

_NAME = rb"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?"
_TAG = re.compile(
    rb"<(/?)(" + _NAME + rb")((?:\s+" + _NAME + rb"\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_ATTRIBUTE = re.compile(rb"\s+(" + _NAME + rb")\s*=\s*(\"[^\"]*\"|'[^']*')")
_BOM = b"\xef\xbb\xbf"


def _gpx_role(stack: list[tuple[bytes, str]], name: str) -> str | None:
    """What the text of an element opened here holds for the GPX tree reader, if anything."""
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


@dataclass(frozen=True)
class Dialect:
    """How one format writes its points: the point element's local name, the attributes
    of it whose values are captured, the roles, those of them a point may hold several
    texts for (in document order; the others keep the last one), and what the text of
    an element opened inside a point holds (`role(open elements, local name)`: a role,
    None, or NOT_PLAIN for an element the fast reading cannot vouch for)."""

    point: str
    attributes: tuple[str, ...]
    roles: tuple[str, ...]
    several: tuple[str, ...]
    role: Callable[[list[tuple[bytes, str]], str], str | None]
    max_shapes: int = MAX_SHAPES
    placeholder: bytes = field(init=False)
    start: re.Pattern[bytes] = field(init=False)

    def __post_init__(self) -> None:
        name = self.point.encode("ascii")
        object.__setattr__(self, "placeholder", b"<" + name + b"/>")
        start = rb"<((?:[A-Za-z_][\w.\-]*:)?" + name + rb")(?=[\s/>])"
        object.__setattr__(self, "start", re.compile(start))


GPX = Dialect("trkpt", ("lat", "lon"), ROLES, SEVERAL, _gpx_role)


@dataclass
class Shape:
    """One way a file writes its points: the pattern that matches such a point and,
    for each role, the pattern's groups holding it (None for an empty element)."""

    pattern: bytes
    groups: int
    slots: dict[str, list[int | None]]
    # The namespace prefixes of its elements, which must be declared where it stands,
    # and whether its attributes are all unprefixed (declaring no prefix).
    prefixes: frozenset[bytes] = frozenset()
    plain_attributes: bool = True


# Texts and attribute values, which a point's shape does not depend on.
_TEXT = re.compile(rb">[^<>]*<")
_DOUBLE_QUOTED = re.compile(rb'(=\s*)"[^"<>]*"')
_SINGLE_QUOTED = re.compile(rb"(=\s*)'[^'<>]*'")


def shape_of(point: bytes, dialect: Dialect = GPX) -> Shape | None:
    """The shape of one whole point element, or None where it is not plain markup.

    Points of one shape differ only in their texts and attribute values, so the
    shape is kept for their markup alone: the next point (or file) written the same
    way has it at once."""
    markup = _TEXT.sub(b"><", point)
    markup = _SINGLE_QUOTED.sub(rb"\1''", _DOUBLE_QUOTED.sub(rb'\1""', markup))
    return _shape_of(markup, dialect)


@functools.lru_cache(maxsize=512)
def _shape_of(point: bytes, dialect: Dialect) -> Shape | None:
    parts: list[bytes] = []
    slots: dict[str, list[int | None]] = {role: [] for role in dialect.roles}
    groups = 0
    stack: list[tuple[bytes, str]] = []  # (qualified, local) names of the open elements
    position = 0
    prefixes: set[bytes] = set()
    plain_attributes = True
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
            if not stack and name != dialect.point:
                return None
            captured = () if stack else dialect.attributes
            attribute_parts = _attribute_patterns(attributes, captured)
            if attribute_parts is None:
                return None
            prefix = qname.rpartition(b":")[0]
            if prefix:
                prefixes.add(prefix)
            plain_attributes &= all(
                b":" not in name for name, _value in _ATTRIBUTE.findall(attributes)
            )
            parts.append(b"<" + re.escape(qname))
            for pattern, attribute in attribute_parts:
                parts.append(pattern)
                if attribute is not None:
                    slots[attribute].append(groups)
                    groups += 1
            parts.append(rb"\s*/>" if empty else rb"\s*>")
            role = dialect.role(stack, name) if stack else None
            if role == NOT_PLAIN:
                return None
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
    return Shape(b"".join(parts), groups, slots, frozenset(prefixes), plain_attributes)


def _attribute_patterns(attributes: bytes, captured: tuple[str, ...]) -> list | None:
    """(pattern, captured attribute or None) for each attribute, in order."""
    result, covered, names = [], 0, set()
    for attribute in _ATTRIBUTE.finditer(attributes):
        covered += len(attribute.group(0))
        aname, value = attribute.groups()
        if aname in names:
            return None  # twice on one element: not well-formed
        names.add(aname)
        quote = re.escape(value[:1])
        taken = aname.decode("ascii") if aname.decode("ascii") in captured else None
        # No "<" in a value, which well-formed markup never holds there.
        value = (b"([^" if taken else b"[^") + quote + (b"<]*)" if taken else b"<]*") + quote
        result.append((rb"\s+" + re.escape(aname) + rb"\s*=\s*" + quote + value, taken))
    return result if covered == len(attributes) else None


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

    def __init__(self, point: str) -> None:
        self.plain = True
        self.point = point

    def pi(self, target: str, data: str | None) -> None:
        self.plain = False

    def doctype(self, *args: object) -> None:
        self.plain = False

    def comment(self, text: str) -> None:
        if self.point in text:
            self.plain = False

    def close(self) -> bool:
        return self.plain


def _plain_and_well_formed(data: bytes, point: str = "trkpt") -> bool:
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    if body[:1] != b"<" or b"<![CDATA[" in body:
        return False  # space before the declaration, UTF-16 or -32, or CDATA
    parser = etree.XMLParser(
        target=_Checker(point), resolve_entities=False, no_network=True, load_dtd=False
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
    texts: dict[str, list]  # role → a text or None per point; several: such lists per slot
    # What stands before the first point, between each two and after the last.
    between: list[bytes] = field(default_factory=list, repr=False)
    # The skeleton's tree.
    root: etree._Element | None = field(default=None, repr=False)


def read_points(data: bytes, dialect: Dialect = GPX) -> Points | None:
    """The points of a regular file, or None where the whole tree must be read.

    One pass of a pattern splits the document around every point: the shape of a
    point from the middle of the file (where a tracker writes its usual points, not
    the odd ones of a start or a pause), or else any whole point, whose own shape
    then reads it. Where many points are of other shapes, the document is split
    again by all of them."""
    first = dialect.start.search(data, len(data) // 2) or dialect.start.search(data)
    if first is None:
        return None
    checked = not _plain_bytes(data)
    if checked and not _plain_and_well_formed(data, dialect.point):
        return None
    point = _point_at(data, first.start(), first.group(1))
    shape = shape_of(point, dialect) if point else None
    if shape is None:
        return None
    # Where the points are written without a prefix, the pattern starts with their tag,
    # which the regular expression engine then looks for as a string, and the group of a
    # point of another shape holds what follows it.
    head = b"<" + first.group(1) if b":" not in first.group(1) else b""
    pieces = _with_any_point(shape.pattern, dialect.start.pattern, head).split(data)
    stride = shape.groups + 2
    count = (len(pieces) - 1) // stride
    others = pieces[stride - 1 :: stride]  # a point not of the shape, whole; else None
    unshaped = count - others.count(None)
    if unshaped > max(MANY_OTHERS, count // 16):
        return _read_by_shapes(data, dialect, others, head, checked)
    texts = _texts(pieces, [shape], stride, count, dialect)
    shapes = [shape]
    if unshaped and not _read_others(others, head, texts, shapes, dialect):
        return None
    return _points(data, pieces[::stride], texts, dialect, shapes, checked)


# Up to this many points (or a sixteenth of them) of other shapes are read one by one.
MANY_OTHERS = 64


@functools.lru_cache(maxsize=64)
def _with_any_point(pattern: bytes, start: bytes, head: bytes) -> re.Pattern[bytes]:
    """The shape's pattern, else a whole point of any shape (after `head`, which both
    start with) as one more group."""
    opening = start.replace(b"<(", b"<(?:", 1)
    closing = opening.replace(b"<", b"</", 1).replace(b"(?=[\\s/>])", b"\\s*>")
    if head:
        assert pattern.startswith(head)
        closing = b"</" + head[1:] + rb"\s*>"
        return re.compile(
            head
            + b"(?:"
            + pattern[len(head) :]
            + rb"|((?=[\s/>])(?:[^>]*/>|[^>]*>.*?"
            + closing
            + b")))",
            re.DOTALL,
        )
    return re.compile(
        pattern + b"|(" + opening + rb"(?:[^>]*/>|[^>]*>.*?" + closing + b"))", re.DOTALL
    )


def _read_others(
    others: list, head: bytes, texts: dict[str, list], shapes: list[Shape], dialect: Dialect
) -> bool:
    """Put the texts of the points not of the first shape into the columns, each read by
    its own shape (added to `shapes`); False where one has none, or the file more than
    the dialect's max_shapes."""
    count = len(others)
    for index, point in enumerate(others):
        if point is None:
            continue
        point = head + point
        shape = shape_of(point, dialect)
        if shape is None:
            return False
        if shape not in shapes:
            shapes.append(shape)
        match = re.compile(shape.pattern).fullmatch(point)
        if match is None or len(shapes) > dialect.max_shapes:
            return False
        for role in dialect.roles:
            own = shape.slots[role]
            if role in dialect.several:
                columns = texts[role]
                while len(columns) < len(own):
                    columns.append([None] * count)
                for slot, group in enumerate(own):
                    if group is not None:
                        columns[slot][index] = match.group(group + 1)
            elif own and own[-1] is not None:
                texts[role][index] = match.group(own[-1] + 1)
    return True


def _read_by_shapes(
    data: bytes, dialect: Dialect, others: list, head: bytes, checked: bool
) -> Points | None:
    """The points read by a pattern of all their shapes, found point by point."""
    shapes: list[Shape] = []
    remaining = b"".join(head + point for point in others if point is not None)
    first = dialect.start.search(remaining)
    while first is not None:
        point = _point_at(remaining, first.start(), first.group(1))
        shape = shape_of(point, dialect) if point else None
        if shape is None or len(shapes) == dialect.max_shapes:
            return None
        shapes.append(shape)
        pieces, stride = _split(data, shapes)
        remaining = b"".join(pieces[::stride])
        # A point that none of the shapes matched gives the next shape.
        first = dialect.start.search(remaining)
    count = (len(pieces) - 1) // stride
    texts = _texts(pieces, shapes, stride, count, dialect)
    return _points(data, pieces[::stride], texts, dialect, shapes, checked)


def _points(
    data: bytes,
    between: list,
    texts: dict[str, list],
    dialect: Dialect,
    shapes: list[Shape],
    checked: bool,
) -> Points | None:
    if dialect.start.search(b"".join(between)):
        return None  # a point no pattern took
    if (b"&" in data or not data.isascii()) and _has_reference(texts, dialect):
        return None
    skeleton = dialect.placeholder.join(between)
    root = _strict_root(skeleton)
    if root is None:
        return None
    # Else libxml2 tells whether the prefixes are declared where the points use them.
    if not (checked or _declared_everywhere(root, shapes)) and not _plain_and_well_formed(
        data, dialect.point
    ):
        return None
    return Points(skeleton, len(between) - 1, texts, between, root)


def _strict_root(skeleton: bytes) -> etree._Element | None:
    """The skeleton's tree as the tree reader would parse it, or None where libxml2 finds
    anything wrong with it (even a namespace the tree reader would forgive)."""
    from activities.parsers.base import _parser

    try:
        return etree.fromstring(skeleton, _parser(recover=False))
    except etree.XMLSyntaxError:
        return None


def _plain_bytes(data: bytes) -> bool:
    """Whether the document is plain enough that the skeleton's own parse, with what the
    shapes check, vouches for every point as libxml2's check of the whole would: ASCII
    (so no byte to decode), no reference, CDATA, comment, DOCTYPE or processing
    instruction (but the XML declaration), no ``]]>`` and no control character.

    Each mark is first looked for by its rarest byte, which is quick to find."""
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    if body[:1] != b"<" or not body.isascii() or b"&" in body:
        return False
    if (b"!" in body and b"<!" in body) or (b"]" in body and b"]]>" in body):
        return False
    declared = _DECLARATION.match(body)
    after = declared.end() if declared else 0
    if b"?" in body[after:] and b"<?" in body[after:]:
        return False
    codes = np.frombuffer(body, dtype=np.uint8)
    low = codes[codes < 32]  # tabs and line ends, unless something else
    return bool(((low == 10) | (low == 13) | (low == 9)).all())


# The XML declaration, up to its end.
_DECLARATION = re.compile(rb"<\?xml\s[^?>]*\?>")


def _declared_everywhere(root: etree._Element, shapes: list[Shape]) -> bool:
    """Whether every prefix the points' elements use is declared on the root element
    (and so wherever a point stands), no point declaring one or using a prefixed
    attribute, which the shapes do not follow."""
    if not all(shape.plain_attributes for shape in shapes):
        return False
    prefixes = {prefix.decode("ascii") for shape in shapes for prefix in shape.prefixes}
    return prefixes <= set(root.nsmap) | {"xml"} and "xmlns" not in prefixes


def _split(data: bytes, shapes: list[Shape]) -> tuple[list, int]:
    """The document split around every point: the text before it, then every shape's
    groups (None in the groups of the shapes the point did not take), and so on."""
    pattern = re.compile(b"|".join(shape.pattern for shape in shapes))
    stride = 1 + sum(shape.groups for shape in shapes)
    return pattern.split(data), stride


def _texts(
    pieces: list, shapes: list[Shape], stride: int, count: int, dialect: Dialect = GPX
) -> dict[str, list]:
    """Each role's texts in point order, merged over the shapes."""
    starts, start = [], 1
    for shape in shapes:
        starts.append(start)
        start += shape.groups
    texts: dict[str, list] = {}
    several = dialect.several
    for role in dialect.roles:
        width = max(len(shape.slots[role]) for shape in shapes) if role in several else 1
        columns = []
        for slot in range(width):
            column = None
            for shape, first in zip(shapes, starts, strict=True):
                own = shape.slots[role]
                if role in several:
                    index = own[slot] if slot < len(own) else None
                else:
                    index = own[-1] if own else None  # the last one counts, as in the tree
                if index is None:
                    continue  # no such element, or an empty one: no text
                values = pieces[first + index :: stride]
                column = values if column is None else _merge(column, values)
            columns.append(column if column is not None else [None] * count)
        texts[role] = columns if role in several else columns[0]
    return texts


def _merge(first: list, second: list) -> list:
    """Where a point took one shape its texts sit in that shape's groups; None in the others'."""
    return [a if a is not None else b for a, b in zip(first, second, strict=True)]


def _has_reference(texts: dict[str, list], dialect: Dialect = GPX) -> bool:
    """Whether a text holds a character reference or a byte beyond ASCII, which only the
    tree reader decodes (a float of such a text may differ from a float of its bytes)."""
    columns = [column for role in dialect.several for column in texts[role]]
    columns += [texts[role] for role in dialect.roles if role not in dialect.several]
    for column in columns:
        joined = b"".join(filter(None, column))
        if b"&" in joined or not joined.isascii():
            return True
    return False

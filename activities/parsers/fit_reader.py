"""A fast FIT reader for what a track needs, that reads on past damage.

It decodes the definition and data messages itself, one `struct` unpack per message
with a layout made once per definition, and keeps only records, sessions, sports and
the file's id; everything else is stepped over by its size. Values are what fitdecode
gives (same base types, invalid values, scales and offsets, fitdecode's own profile
for names), so both readers give the same `FitContent`, which tests check on every
sample. What it cannot vouch for sends the file to fitdecode (`read` answers None): a
file that does not start with a FIT header, or records using compressed
speed/distance, whose values accumulate.

Damage: where a message cannot be what it claims (a data message of an undefined
local type, a definition that cannot be one), reading resumes at the next offset from
which RESYNC_CHAIN messages in a row decode plausibly with the definitions known, and
the bytes passed over are counted. A file cut short is read up to its last whole message.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
from fitdecode import profile

from activities.parsers.fit import (
    FIT_MIN_DATE,
    SEMICIRCLE_DEG,
    FitContent,
    Session,
    declared_size,
)

FIT_EPOCH = 631065600
RECORD, SESSION, FILE_ID, SPORT = 20, 18, 0, 12
TIMESTAMP = 253
COMPRESSED_SPEED_DISTANCE = 8
# Messages that must decode in a row, from an offset after damage, to read on from it.
RESYNC_CHAIN = 6
# A record read while resynchronising must be stamped within this of the last good one.
RESYNC_MAX_STEP_S = 3600

# base type number (low 5 bits) → (struct code, size, invalid raw value or None)
BASE_TYPES = {
    0: ("B", 1, 0xFF),  # enum
    1: ("b", 1, 0x7F),
    2: ("B", 1, 0xFF),
    3: ("h", 2, 0x7FFF),
    4: ("H", 2, 0xFFFF),
    5: ("i", 4, 0x7FFFFFFF),
    6: ("I", 4, 0xFFFFFFFF),
    7: ("s", 1, None),  # string
    8: ("f", 4, None),  # float32: invalid is NaN
    9: ("d", 8, None),
    10: ("B", 1, 0),  # uint8z
    11: ("H", 2, 0),
    12: ("I", 4, 0),
    13: ("B", 1, None),  # byte
    14: ("q", 8, 0x7FFFFFFFFFFFFFFF),
    15: ("Q", 8, 0xFFFFFFFFFFFFFFFF),
    16: ("Q", 8, 0),
}
# What is kept of each message, by field number: name.
WANTED = {
    RECORD: {253: "t", 0: "lat", 1: "lon", 2: "alt", 78: "ealt", 3: "hr", 4: "cad", 5: "dist"},
    SESSION: {253: "ts", 2: "start", 5: "sport", 7: "elapsed", 9: "distance"},
    FILE_ID: {0: "type", 1: "manufacturer", 2: "product", 8: "product_name"},
    SPORT: {0: "sport", 253: "ts"},
}
SPORT_NAMES = profile.MESSAGE_TYPES[SESSION].fields[5].type.enum
FILE_TYPES = profile.MESSAGE_TYPES[FILE_ID].fields[0].type.enum
MANUFACTURERS = profile.MESSAGE_TYPES[FILE_ID].fields[1].type.enum
GARMIN_PRODUCT = next(
    s for s in profile.MESSAGE_TYPES[FILE_ID].fields[2].subfields if s.name == "garmin_product"
)
GARMIN_MAKERS = {ref.raw_value for ref in GARMIN_PRODUCT.ref_fields}
GARMIN_PRODUCTS = GARMIN_PRODUCT.type.enum


class _Fallback(Exception):
    """The file holds something this reader does not vouch for."""


class _Layout:
    """How to read the data messages of one definition."""

    __slots__ = ("global_num", "invalid", "names", "size", "strings", "unpack")

    def __init__(
        self, global_num: int, little: bool, fields: list[tuple[int, int, int]], dev_size: int
    ) -> None:
        self.global_num = global_num
        wanted = WANTED.get(global_num, {TIMESTAMP: "ts"})
        if global_num == RECORD and any(num == COMPRESSED_SPEED_DISTANCE for num, *_ in fields):
            raise _Fallback
        fmt = ["<" if little else ">"]
        names: list[str] = []
        # Per kept field, the raw value that means "no value" (None where none is set aside), or
        # "array" where the field holds several values and none is kept.
        invalid: list[int | str | None] = []
        strings: list[int] = []
        bad: int | str | None
        size = 0
        for num, field_size, base in fields:
            size += field_size
            name = wanted.get(num)
            code, base_size, bad = BASE_TYPES.get(base & 0x1F, ("B", 1, None))
            if name is not None and code == "s":
                fmt.append(f"{field_size}s")
                strings.append(len(names))
            elif name is not None and field_size == base_size:
                fmt.append(code)
            elif name is not None:
                fmt.append(f"{field_size}s")  # an array or misaligned: no single value
                bad = "array"
            else:
                fmt.append(f"{field_size}x")
                continue
            names.append(name)
            invalid.append(bad)
        if dev_size:
            fmt.append(f"{dev_size}x")
        self.size = size + dev_size
        self.unpack = struct.Struct("".join(fmt)).unpack_from
        self.names = tuple(names)
        self.invalid = tuple(invalid)
        self.strings = frozenset(strings)

    def values(self, data: bytes, at: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for index, (name, raw) in enumerate(zip(self.names, self.unpack(data, at), strict=True)):
            bad = self.invalid[index]
            if index in self.strings:
                raw = _string(raw)
            elif bad == "array" or raw == bad or (isinstance(raw, float) and raw != raw):
                raw = None
            out[name] = raw
        return out


def _string(raw: bytes) -> str | None:
    end = raw.find(0)
    return (raw if end < 0 else raw[:end]).decode("utf-8", errors="replace") or None


def _date(raw: int | None) -> float:
    if raw is None or raw < 0x10000000:
        return np.nan
    epoch = float(raw + FIT_EPOCH)
    return epoch if epoch >= FIT_MIN_DATE else np.nan


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.content = FitContent(size=len(data))
        self.layouts: dict[int, _Layout] = {}
        self.last_ts: int | None = None
        self.accumulator = 0  # the compressed timestamp's running value
        self.probing = False
        self.recent: list[float] = []  # the last few record times read (epoch seconds)

    # ---------------------------------------------------------------- messages

    def definition(self, at: int, header: int) -> int:
        """Read a definition at `at` (its header byte); the offset after it."""
        data = self.data
        if at + 6 > len(data):
            raise EOFError
        arch = data[at + 2]
        if arch not in (0, 1) or (self.probing and data[at + 1]):
            raise ValueError("architecture")
        little = arch == 0
        global_num = struct.unpack_from("<H" if little else ">H", data, at + 3)[0]
        count = data[at + 5]
        end = at + 6 + 3 * count
        if end > len(data):
            raise EOFError
        fields = []
        for i in range(count):
            num, size, base = data[at + 6 + 3 * i : at + 9 + 3 * i]
            if size == 0 or (base & 0x1F) not in BASE_TYPES:
                raise ValueError("field")
            fields.append((num, size, base))
        dev_size = 0
        if header & 0x20:
            if end + 1 > len(data):
                raise EOFError
            dev_count = data[end]
            dev_end = end + 1 + 3 * dev_count
            if dev_end > len(data):
                raise EOFError
            dev_size = sum(data[end + 2 + 3 * i] for i in range(dev_count))
            end = dev_end
        self.layouts[header & 0x0F] = _Layout(global_num, little, fields, dev_size)
        return end

    def message(self, at: int) -> int:
        """Read the message at `at`; the offset after it."""
        header = self.data[at]
        if header & 0x80:  # compressed timestamp header
            layout = self.layouts.get((header >> 5) & 0x03)
            offset = header & 0x1F
        elif header & 0x40:
            return self.definition(at, header)
        else:
            if header & 0x30:
                raise ValueError("header")
            layout = self.layouts.get(header & 0x0F)
            offset = None
        if layout is None:
            raise ValueError("undefined")
        end = at + 1 + layout.size
        if end > len(self.data):
            raise EOFError
        self.data_message(layout, layout.values(self.data, at + 1), offset)
        return end

    def data_message(self, layout: _Layout, values: dict[str, Any], offset: int | None) -> None:
        stamp = values.get("t", values.get("ts"))
        if stamp is not None:
            self.last_ts = self.accumulator = stamp
        if offset is not None:
            base = self.accumulator & ~0x1F
            stamp = base + offset + (0x20 if offset < (self.accumulator & 0x1F) else 0)
            self.accumulator = stamp
            values["t"] = values["ts"] = stamp
        kind = layout.global_num
        content = self.content
        if kind == RECORD:
            if not self.probing and stamp is not None:
                self.recent = [*self.recent[-3:], _date(stamp)]
            lat, lon = values.get("lat"), values.get("lon")
            alt = values.get("ealt")
            if alt is None:
                alt = values.get("alt")
            hr, cad, dist = values.get("hr"), values.get("cad"), values.get("dist")
            content.add_record(
                _date(values.get("t")),
                lat * SEMICIRCLE_DEG if lat is not None else np.nan,
                lon * SEMICIRCLE_DEG if lon is not None else np.nan,
                alt / 5 - 500 if alt is not None else np.nan,
                float(hr) if hr is not None else np.nan,
                float(cad) if cad is not None else np.nan,
                dist / 100 if dist is not None else np.nan,
            )
        elif kind == SESSION:
            elapsed, distance = values.get("elapsed"), values.get("distance")
            content.sessions.append(
                Session(
                    sport=_sport(values.get("sport")),
                    start=_date(values.get("start")),
                    elapsed_s=elapsed / 1000 if elapsed is not None else np.nan,
                    distance_m=distance / 100 if distance is not None else np.nan,
                )
            )
        elif kind == SPORT and content.sport is None:
            content.sport = _sport(values.get("sport"))
        elif kind == FILE_ID and content.device is None:
            kind_of_file = FILE_TYPES.get(values.get("type"))
            content.file_type = kind_of_file if isinstance(kind_of_file, str) else None
            content.device = _device(values)

    # ------------------------------------------------------------------ damage

    def could_start(self, header: int) -> bool:
        """Whether a message could start with this byte, with the definitions known."""
        if header & 0x80:
            return (header >> 5) & 0x03 in self.layouts
        if header & 0x40:
            return not header & 0x10
        return not header & 0x30 and header & 0x0F in self.layouts

    def plausible_from(self, at: int, stop: int) -> bool:
        """Whether RESYNC_CHAIN messages decode in a row from `at`, with at least one
        record among them and every record stamped near the last good time."""
        saved = (self.content, dict(self.layouts), self.last_ts, self.accumulator)
        probe = FitContent()
        self.content, self.probing = probe, True
        try:
            for _ in range(RESYNC_CHAIN):
                if at >= stop:
                    return False
                at = self.message(at)
            stamps = [t for t in probe.records["t"] if np.isfinite(t)]
            if not stamps or not self.recent:
                return False
            # Near one of the last records read: the very last may be the damaged one.
            return all(
                any(abs(t - good) <= RESYNC_MAX_STEP_S for good in self.recent) for t in stamps
            )
        except (ValueError, EOFError, struct.error, _Fallback):
            return False
        finally:
            self.content, self.layouts, self.last_ts, self.accumulator = saved
            self.probing = False

    def read(self) -> FitContent:
        data = self.data
        content = self.content
        content.declared_size = declared_size(data)
        start = 0
        while start + 12 <= len(data):
            size = data[start]
            if size not in (12, 14) or data[start + 8 : start + 12] != b".FIT":
                if start == 0:
                    raise _Fallback
                break  # bytes after the last file of a chain
            body = int.from_bytes(data[start + 4 : start + 8], "little")
            stop = min(start + size + body, len(data))
            # Each file of a chain defines its own messages.
            self.layouts, self.last_ts, self.accumulator = {}, None, 0
            at = start + size
            while at < stop:
                try:
                    at = self.message(at)
                except EOFError:
                    content.stopped_at = at
                    return content
                except (ValueError, struct.error):
                    resumed = next(
                        (
                            q
                            for q in range(at + 1, stop)
                            if self.could_start(data[q]) and self.plausible_from(q, stop)
                        ),
                        None,
                    )
                    if resumed is None:
                        content.stopped_at = at
                        return content
                    content.skipped_bytes += resumed - at
                    at = resumed
            start = stop + 2  # the file's CRC; a chained file may follow
        return content


def _sport(raw: int | None) -> str | None:
    name = SPORT_NAMES.get(raw) if raw is not None else None
    return name if isinstance(name, str) else None


def _device(values: dict[str, Any]) -> str | None:
    maker = values.get("manufacturer")
    product = values.get("product_name")
    if product is None:
        raw = values.get("product")
        product = GARMIN_PRODUCTS.get(raw, raw) if maker in GARMIN_MAKERS else raw
    maker = MANUFACTURERS.get(maker, maker) if maker is not None else None
    text = " ".join(str(p) for p in (maker, product) if p not in (None, ""))
    return text or None


def read(data: bytes) -> FitContent | None:
    """The content of a FIT file, or None where fitdecode must read it."""
    try:
        return _Reader(data).read()
    except _Fallback:
        return None

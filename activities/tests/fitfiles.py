"""A small FIT writer for tests: real FIT structure (header, definition and data
messages, CRCs) that fitdecode and every other FIT reader read, so a test can build
the file a class of device writes (no positions, several sessions, a damaged stretch)
from the records of a real one."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

import fitdecode

FIT_EPOCH = 631065600
SEMICIRCLES = 2**31 / 180.0
SPORTS = {"running": 1, "cycling": 2, "transition": 3, "swimming": 5, "walking": 11, "generic": 0}
_CRC = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
]  # fmt: skip
# base type: (struct code, size, invalid value)
BASE = {
    0x00: ("B", 1, 0xFF),  # enum
    0x02: ("B", 1, 0xFF),  # uint8
    0x84: ("H", 2, 0xFFFF),  # uint16
    0x85: ("i", 4, 0x7FFFFFFF),  # sint32
    0x86: ("I", 4, 0xFFFFFFFF),  # uint32
}
# (global message, field): (number, base type, scale, offset)
FIELDS = {
    "file_id": (0, {"type": (0, 0x00, 1, 0), "manufacturer": (1, 0x84, 1, 0),
                    "product": (2, 0x84, 1, 0), "time_created": (4, 0x86, 1, 0)}),
    "record": (20, {"timestamp": (253, 0x86, 1, 0), "position_lat": (0, 0x85, 1, 0),
                    "position_long": (1, 0x85, 1, 0), "altitude": (2, 0x84, 5, 500),
                    "heart_rate": (3, 0x02, 1, 0), "distance": (5, 0x86, 100, 0)}),
    "session": (18, {"timestamp": (253, 0x86, 1, 0), "start_time": (2, 0x86, 1, 0),
                     "sport": (5, 0x00, 1, 0), "total_elapsed_time": (7, 0x86, 1000, 0),
                     "total_distance": (9, 0x86, 100, 0)}),
}  # fmt: skip


def crc16(data: bytes, crc: int = 0) -> int:
    for byte in data:
        tmp = _CRC[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC[byte & 0xF]
        tmp = _CRC[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC[(byte >> 4) & 0xF]
    return crc


@dataclass
class Message:
    name: str
    values: dict  # field name → value in the profile's units (None: invalid)


@dataclass
class FitWriter:
    messages: list[Message] = field(default_factory=list)

    def add(self, name: str, **values) -> None:
        self.messages.append(Message(name, values))

    def encode(self, big_endian: bool = False) -> bytes:
        body = io.BytesIO()
        layouts: dict[int, tuple] = {}  # local number → (global, field names)
        locals_by_layout: dict[tuple, int] = {}
        order = ">" if big_endian else "<"
        for message in self.messages:
            number, fields = FIELDS[message.name]
            names = tuple(name for name in fields if name in message.values)
            layout = (number, names)
            if layout not in locals_by_layout:
                local = len(locals_by_layout) % 16
                locals_by_layout[layout] = local
                layouts[local] = layout
                body.write(bytes([0x40 | local, 0, 1 if big_endian else 0]))
                body.write(struct.pack(order + "HB", number, len(names)))
                for name in names:
                    num, base, _scale, _offset = fields[name]
                    body.write(bytes([num, BASE[base][1], base]))
            local = locals_by_layout[layout]
            body.write(bytes([local]))
            for name in names:
                _num, base, scale, offset = fields[name]
                code, _size, invalid = BASE[base]
                value = message.values[name]
                raw = invalid if value is None else int(round((value + offset) * scale))
                body.write(struct.pack(order + code, raw))
        data = body.getvalue()
        header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(data), b".FIT")
        header += struct.pack("<H", crc16(header))
        out = header + data
        return out + struct.pack("<H", crc16(out))


def fit_time(epoch: float) -> int:
    return int(epoch) - FIT_EPOCH


def real_records(data: bytes) -> list[dict]:
    """The records of a real FIT file: timestamp (FIT seconds), position (semicircles),
    altitude, heart rate and distance, as fitdecode reads them."""
    out = []
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    for frame in reader:
        if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
            values = {}
            for name in ("timestamp", "position_lat", "position_long", "heart_rate", "distance"):
                if frame.has_field(name):
                    values[name] = frame.get_value(name)
            if frame.has_field("enhanced_altitude"):
                values["altitude"] = frame.get_value("enhanced_altitude")
            if values.get("timestamp") is not None:
                values["timestamp"] = fit_time(values["timestamp"].timestamp())
                out.append(values)
    return out

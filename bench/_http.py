"""A small HTTP/1.1 keep-alive client on asyncio, for the load generators (surge.py,
faults.py): Python's HTTP libraries cost more CPU per request than the pages they ask
for, and the machine that serves the stack also runs the load.

One `Connection` per concurrent client; a response is read by Content-Length or
chunked encoding (or to the end, when the server closes). A request on a kept
connection that the server had closed meanwhile is sent again once on a new one when
nothing of an answer came back (as browsers do); any other failure is raised."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode


class HttpError(Exception):
    """No answer: the connection failed or closed before a whole response came."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


@dataclass
class Connection:
    host: str
    port: int
    timeout: float = 60.0
    cookies: dict[str, str] = field(default_factory=dict)
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        params: dict | None = None,
    ) -> Response:
        if params:
            path = f"{path}{'&' if '?' in path else '?'}{urlencode(params)}"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        all_headers = {"User-Agent": "kindsteps-bench", **(headers or {})}
        if self.cookies:
            all_headers.setdefault("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body or method in ("POST", "PUT", "PATCH"):
            all_headers["Content-Length"] = str(len(body))
        lines += [f"{name}: {value}" for name, value in all_headers.items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        began = time.perf_counter()
        for attempt in range(2):
            reused = self._writer is not None
            if not reused:
                try:
                    self._reader, self._writer = await asyncio.wait_for(
                        asyncio.open_connection(self.host, self.port), self.timeout
                    )
                except (OSError, TimeoutError) as exc:
                    raise HttpError(f"connect: {exc!r}") from exc
            got_bytes = [False]
            try:
                self._writer.write(raw)
                await self._writer.drain()
                response = await asyncio.wait_for(self._read(got_bytes), self.timeout)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                self.close()
                if (
                    reused
                    and attempt == 0
                    and not got_bytes[0]
                    and not isinstance(exc, TimeoutError)
                ):
                    continue
                raise HttpError(repr(exc)) from exc
            response.seconds = time.perf_counter() - began
            self.cookies.update(response.cookies)
            if response.headers.get("connection", "").lower() == "close":
                self.close()
            return response
        raise HttpError("unreachable")

    async def _read(self, got_bytes: list[bool]) -> Response:
        assert self._reader is not None
        reader = self._reader
        head = await reader.readuntil(b"\r\n\r\n")
        got_bytes[0] = True
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie = pair.partition("=")
                cookies[key.strip()] = cookie.strip()
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")  # no trailers from nginx
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(parts)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:
            body = await reader.read()
            headers["connection"] = "close"
        return Response(status, headers, cookies, body, 0.0)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_ms(values: list[float]) -> dict:
    return {
        f"p{q}_ms": None if (v := percentile(values, q)) is None else round(v * 1000, 1)
        for q in (50, 95, 99)
    }

"""Port-forward over SPDY/3.1 tunnelled through a WebSocket (``SPDY/3.1+portforward.k8s.io``), as kubectl speaks it.

kubectl (1.31 and later) opens a WebSocket and runs a SPDY session inside it: every binary message carries raw
SPDY bytes, frames may be split across messages. For each accepted local connection it opens two streams
with the same ``requestid``: ``error`` (the server writes a failure there) and ``data`` (the connection's bytes).
Header blocks are zlib streams primed with the SPDY/3 dictionary, one stream per direction for the session.
"""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType

from kubetui.sim import apps

if TYPE_CHECKING:
    from aiohttp import web

Obj = dict[str, Any]

SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01

_SPACED = (
    "options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges "
    "age allow authorization cache-control connection content-base content-encoding content-language "
    "content-length content-location content-md5 content-range content-type date etag expect expires from "
    "host if-match if-modified-since if-none-match if-range if-unmodified-since last-modified location "
    "max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after server te trailer "
    "transfer-encoding upgrade user-agent vary via warning www-authenticate method get status"
)
_WORDS = (
    *_SPACED.split(),
    *("200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin"),
)
_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)
# The SPDY/3 header compression dictionary (draft 3, section 2.6.10.1): length-prefixed words, then a tail.
DICTIONARY = b"".join(struct.pack(">I", len(w)) + w.encode() for w in _WORDS) + _TAIL.encode()


def encode_headers(headers: dict[str, str]) -> bytes:
    out = struct.pack(">I", len(headers))
    for k, v in headers.items():
        out += struct.pack(">I", len(k)) + k.encode() + struct.pack(">I", len(v)) + v.encode()
    return out


def decode_headers(block: bytes) -> dict[str, str]:
    (count,) = struct.unpack_from(">I", block, 0)
    pos, out = 4, {}
    for _ in range(count):
        (n,) = struct.unpack_from(">I", block, pos)
        name = block[pos + 4 : pos + 4 + n].decode()
        pos += 4 + n
        (n,) = struct.unpack_from(">I", block, pos)
        out[name.lower()] = block[pos + 4 : pos + 4 + n].decode().split("\x00")[0]
        pos += 4 + n
    return out


def control(kind: int, flags: int, payload: bytes) -> bytes:
    return struct.pack(">HHI", 0x8000 | 3, kind, (flags << 24) | len(payload)) + payload


def data(stream: int, payload: bytes, flags: int = 0) -> bytes:
    return struct.pack(">II", stream & 0x7FFFFFFF, (flags << 24) | len(payload)) + payload


class Session:
    """The server half of one SPDY session: frames in, frames out."""

    def __init__(self, pod: Obj) -> None:
        self.pod = pod
        self._buf = b""
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)
        self._deflate = zlib.compressobj(zdict=DICTIONARY)
        self.streams: dict[int, dict[str, str]] = {}
        self.requests: dict[str, dict[str, int]] = {}  # requestid -> {"error": id, "data": id}
        self.conns: dict[int, apps.HttpConnection] = {}
        self.error_of: dict[int, int] = {}  # data stream -> its error stream
        self.done: set[int] = set()

    def _headers_block(self, headers: dict[str, str]) -> bytes:
        return self._deflate.compress(encode_headers(headers)) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    def feed(self, chunk: bytes) -> bytes:
        """Takes bytes from the client; returns the bytes to send back."""
        self._buf += chunk
        out = b""
        while len(self._buf) >= 8:
            first, second = struct.unpack_from(">II", self._buf, 0)
            length = second & 0xFFFFFF
            if len(self._buf) < 8 + length:
                break
            payload, flags = self._buf[8 : 8 + length], second >> 24
            self._buf = self._buf[8 + length :]
            if first & 0x80000000:
                out += self._control((first & 0xFFFF), flags, payload)
            else:
                out += self._data(first & 0x7FFFFFFF, flags, payload)
        return out

    def _control(self, kind: int, flags: int, payload: bytes) -> bytes:
        if kind == SYN_STREAM:
            (stream,) = struct.unpack_from(">I", payload, 0)
            stream &= 0x7FFFFFFF
            block = self._inflate.decompress(payload[10:])
            headers = decode_headers(block)
            self.streams[stream] = headers
            reply = control(SYN_REPLY, 0, struct.pack(">I", stream) + self._headers_block({}))
            pair = self.requests.setdefault(headers.get("requestid", str(stream)), {})
            pair[headers.get("streamtype", "data")] = stream
            return reply + self._start(pair)
        if kind == PING:
            return control(PING, 0, payload[:4])
        if kind == RST_STREAM:
            (stream,) = struct.unpack_from(">I", payload, 0)
            self.conns.pop(stream & 0x7FFFFFFF, None)
        return b""  # SETTINGS, WINDOW_UPDATE, HEADERS, GOAWAY need no answer

    def _start(self, pair: dict[str, int]) -> bytes:
        """Once both streams of a request exist, connect the data stream to the app on the requested port."""
        if "data" not in pair or "error" not in pair:
            return b""
        headers = self.streams[pair["data"]]
        port = int(headers.get("port", "0") or 0)
        found = apps.listener(self.pod, port)
        if found is None:
            from kubetui.sim.api_stream import forward_error

            err = forward_error(self.pod, port).encode()
            return self._close(pair["data"]) + data(pair["error"], err) + self._close(pair["error"])
        self.conns[pair["data"]] = apps.HttpConnection(found, f"127.0.0.1:{42000 + pair['data']}")
        self.error_of[pair["data"]] = pair["error"]
        return b""

    def _close(self, stream: int) -> bytes:
        if stream in self.done:
            return b""
        self.done.add(stream)
        return data(stream, b"", FLAG_FIN)

    def _data(self, stream: int, flags: int, payload: bytes) -> bytes:
        conn = self.conns.get(stream)
        if conn is None:
            return b""
        out = b""
        if payload:
            body = conn.feed(payload)
            if body:
                out += data(stream, body)
        if flags & FLAG_FIN or conn.closed:
            self.conns.pop(stream, None)
            out += self._close(stream) + self._close(self.error_of[stream])
        return out


async def serve_portforward(ws: web.WebSocketResponse, pod: Obj) -> None:
    session = Session(pod)
    async for msg in ws:
        if msg.type != WSMsgType.BINARY:
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.ERROR):
                break
            continue
        out = session.feed(bytes(msg.data))
        if out:
            await ws.send_bytes(out)

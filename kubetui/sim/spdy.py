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

from kubetui.cluster.spdy import (
    DICTIONARY,
    FLAG_FIN,
    PING,
    RST_STREAM,
    SYN_REPLY,
    SYN_STREAM,
    FrameReader,
    control,
    data,
    decode_headers,
    encode_headers,
)
from kubetui.sim import apps

__all__ = ["DICTIONARY", "Session", "decode_headers", "encode_headers", "serve_portforward"]

if TYPE_CHECKING:
    from aiohttp import web

Obj = dict[str, Any]


class Session:
    """The server half of one SPDY session: frames in, frames out."""

    def __init__(self, pod: Obj) -> None:
        self.pod = pod
        self._frames = FrameReader()
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
        out = b""
        for frame in self._frames.feed(chunk):
            if frame.control:
                out += self._control(frame.kind, frame.flags, frame.payload)
            else:
                out += self._data(frame.stream, frame.flags, frame.payload)
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

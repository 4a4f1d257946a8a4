"""SPDY/3.1 framing for port-forward: the protocol kubectl tunnels through a WebSocket to the API server.

Frames, header blocks (zlib streams primed with the SPDY/3 dictionary, one per direction and session) and a
reader that cuts a byte stream into frames. ``ClientSession`` is the client half for one forwarded
connection: an ``error`` and a ``data`` stream sharing a ``requestid``, as kubectl opens them per connection.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Frame:
    control: bool
    kind: int  # control frame type (0 for data)
    stream: int  # data frame stream id (0 for control)
    flags: int
    payload: bytes


class FrameReader:
    """Cuts a byte stream (arriving in arbitrary pieces) into frames."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, chunk: bytes) -> list[Frame]:
        self._buf += chunk
        frames: list[Frame] = []
        while len(self._buf) >= 8:
            first, second = struct.unpack_from(">II", self._buf, 0)
            length = second & 0xFFFFFF
            if len(self._buf) < 8 + length:
                break
            payload, flags = self._buf[8 : 8 + length], second >> 24
            self._buf = self._buf[8 + length :]
            if first & 0x80000000:
                frames.append(Frame(True, first & 0xFFFF, 0, flags, payload))
            else:
                frames.append(Frame(False, 0, first & 0x7FFFFFFF, flags, payload))
        return frames


class ClientSession:
    """The client half of one forwarded connection: streams 1 (error) and 3 (data) for ``port``."""

    ERROR_STREAM, DATA_STREAM = 1, 3

    def __init__(self, port: int) -> None:
        self.port = port
        self._frames = FrameReader()
        self._deflate = zlib.compressobj(zdict=DICTIONARY)
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)
        self.replied: set[int] = set()
        self.finished: set[int] = set()  # streams the server has closed
        self.error = b""

    def _syn_stream(self, stream: int, kind: str) -> bytes:
        headers = {"streamtype": kind, "port": str(self.port), "requestid": "0"}
        block = self._deflate.compress(encode_headers(headers)) + self._deflate.flush(zlib.Z_SYNC_FLUSH)
        return control(SYN_STREAM, 0, struct.pack(">IIBB", stream, 0, 0, 0) + block)

    def open(self) -> bytes:
        """The frames that open both streams; the error stream is closed for writing at once, as kubectl does."""
        return (
            self._syn_stream(self.ERROR_STREAM, "error")
            + data(self.ERROR_STREAM, b"", FLAG_FIN)
            + self._syn_stream(self.DATA_STREAM, "data")
        )

    def send(self, payload: bytes) -> bytes:
        return b"".join(data(self.DATA_STREAM, payload[i : i + 65536]) for i in range(0, len(payload), 65536))

    def close(self) -> bytes:
        return data(self.DATA_STREAM, b"", FLAG_FIN)

    def feed(self, chunk: bytes) -> tuple[bytes, bytes]:
        """Takes bytes from the server; returns (data for the local connection, frames to send back)."""
        received, reply = b"", b""
        for frame in self._frames.feed(chunk):
            if frame.control:
                if frame.kind == SYN_REPLY:
                    (stream,) = struct.unpack_from(">I", frame.payload, 0)
                    self._inflate.decompress(frame.payload[4:])  # keeps the header context in step
                    self.replied.add(stream & 0x7FFFFFFF)
                elif frame.kind == PING:
                    reply += control(PING, 0, frame.payload[:4])
                elif frame.kind in (RST_STREAM, GOAWAY):
                    self.finished.update((self.ERROR_STREAM, self.DATA_STREAM))
                continue
            if frame.stream == self.DATA_STREAM:
                received += frame.payload
            elif frame.stream == self.ERROR_STREAM:
                self.error += frame.payload
            if frame.flags & FLAG_FIN:
                self.finished.add(frame.stream)
        return received, reply

    @property
    def done(self) -> bool:
        return self.DATA_STREAM in self.finished

"""What the catalogue's applications answer over HTTP: agnhost netexec, nginx and the Kubernetes bootcamp.

Used by the simulated shell (``wget``/``curl`` to a Service or a pod) and by port-forward, so a request reaches
the same answer whichever way it travels. ``listener`` says which app listens on a pod's port (None: nothing
listens there, the connection is refused); ``answer`` turns one request into a response.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kubetui.sim.images import parse_image

Obj = dict[str, Any]

NGINX_VERSION = "1.27.3"

NGINX_WELCOME = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

NGINX_404 = f"""<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx/{NGINX_VERSION}</center>
</body>
</html>
"""


@dataclass(frozen=True)
class Listener:
    """One application listening on a port of a pod."""

    app: str  # "agnhost", "nginx", "bootcamp"
    pod: str
    port: int
    version: str = ""  # the bootcamp's v=1 / v=2
    started: float = 0.0


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def encode(self, *, keep_alive: bool = True) -> bytes:
        lines = [f"HTTP/1.1 {self.status} {self.reason}"]
        lines += [f"{k}: {v}" for k, v in self.headers]
        lines.append(f"Content-Length: {len(self.body)}")
        if not keep_alive:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def _flag(argv: list[str], name: str, default: str) -> str:
    for i, a in enumerate(argv):
        if a.startswith(f"--{name}="):
            return a.split("=", 1)[1]
        if a == f"--{name}" and i + 1 < len(argv):
            return argv[i + 1]
    return default


def _app_of(container: Obj) -> tuple[str, int, str] | None:
    """(app, port, version) of what the container runs, or None if it serves nothing over HTTP."""
    ref = parse_image(str(container.get("image") or ""))
    argv = [*(container.get("command") or []), *(container.get("args") or [])]
    if ref.name == "registry.k8s.io/e2e-test-images/agnhost":
        words = [a for a in argv if a not in ("/agnhost", "agnhost")]
        if words and words[0] == "netexec":
            port = _flag(words, "http-port", "8080")
            return ("agnhost", int(port), "") if port.isdigit() else None
        return None
    if ref.name == "docker.io/library/nginx" and not argv:
        return ("nginx", 80, "")
    if ref.name.endswith("/kubernetes-bootcamp") and not argv:
        return ("bootcamp", 8080, "2" if ref.tag == "v2" else "1")
    return None


def _running(pod: Obj, container: str) -> bool:
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        if cs.get("name") == container:
            return "running" in (cs.get("state") or {})
    return False


def listener(pod: Obj, port: int) -> Listener | None:
    """The app listening on ``port`` in this pod (its containers share the network namespace), or None."""
    meta = pod.get("metadata") or {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        found = _app_of(c)
        if found is None or found[1] != port or not _running(pod, str(c.get("name"))):
            continue
        return Listener(found[0], str(meta.get("name")), port, found[2])
    return None


def _now_go() -> str:
    t = time.time()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
    return f"{stamp}.{int((t % 1) * 1e9):09d} +0000 UTC"


def answer(app: Listener, method: str, target: str, client: str) -> Response:
    """The response of ``app`` to ``method target`` from ``client`` (``ip:port``)."""
    url = urlsplit(target)
    path = url.path or "/"
    if app.app == "agnhost":
        text = "text/plain; charset=utf-8"
        if path == "/":
            return Response(200, "OK", (("Content-Type", text),), f"NOW: {_now_go()}".encode())
        if path == "/hostname":
            return Response(200, "OK", (("Content-Type", text),), app.pod.encode())
        if path == "/echo":
            msg = parse_qs(url.query).get("msg", [""])[0]
            return Response(200, "OK", (("Content-Type", text),), msg.encode())
        if path == "/clientip":
            return Response(200, "OK", (("Content-Type", text),), client.encode())
        if path == "/healthz":
            return Response(200, "OK", (("Content-Type", text),), b"")
        return Response(404, "Not Found", (("Content-Type", text),), b"404 page not found\n")
    if app.app == "nginx":
        headers = (("Server", f"nginx/{NGINX_VERSION}"), ("Content-Type", "text/html"))
        if method not in ("GET", "HEAD"):
            return Response(405, "Not Allowed", headers, b"")
        if path in ("/", "/index.html"):
            return Response(200, "OK", headers, NGINX_WELCOME.encode())
        return Response(404, "Not Found", headers, NGINX_404.encode())
    greeting = f"Hello Kubernetes bootcamp! | Running on: {app.pod} | v={app.version or '1'}\n"
    return Response(200, "OK", (("Content-Type", "text/plain"),), greeting.encode())


class HttpConnection:
    """Server side of one HTTP/1.1 connection to an app: bytes in, responses out (keep-alive, pipelining)."""

    def __init__(self, app: Listener, client: str) -> None:
        self.app, self.client = app, client
        self._buf = b""
        self.closed = False

    def feed(self, data: bytes) -> bytes:
        """Takes bytes the client sent; returns the bytes of every response now complete."""
        self._buf += data
        out = b""
        while not self.closed:
            head, sep, rest = self._buf.partition(b"\r\n\r\n")
            if not sep:
                break
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
            length = int(headers.get("content-length", "0") or 0)
            if len(rest) < length:
                break
            self._buf = rest[length:]
            parts = lines[0].split()
            if len(parts) != 3:
                self.closed = True
                return out + Response(400, "Bad Request", (), b"").encode(keep_alive=False)
            method, target, version = parts
            keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
            resp = answer(self.app, method, target, self.client)
            body = resp if method != "HEAD" else Response(resp.status, resp.reason, resp.headers, b"")
            out += body.encode(keep_alive=keep)
            if not keep:
                self.closed = True
        return out

"""What containers of the catalogue's images do when they run: log scripts for agnhost, nginx, the bootcamp,
myapp, coredns, the test images, and the few shell idioms busybox pods use."""

from __future__ import annotations

import shlex
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

# A line producer gets the line's index and its wall-clock time.
LineFn = Callable[[int, float], str]


@dataclass
class LogContext:
    """What a log script may know about the container it runs in."""

    namespace: str
    pod: str
    container: str
    command: list[str]
    env: dict[str, str]
    pod_ip: str
    seed: int
    start: float  # wall-clock time the container started
    is_consumer: Callable[[], bool] = lambda: False


@dataclass
class LogScript:
    """What one run of a container does: lines at start-up offsets, then a periodic line, maybe an exit."""

    startup: list[tuple[float, LineFn]] = field(default_factory=list)  # (simulated offset, line)
    every: float | None = None  # simulated seconds between periodic lines
    periodic: LineFn | None = None
    periodic_from: float = 0.0  # simulated offset of periodic line 0
    exit_after: float | None = None  # simulated seconds until the process exits; None runs forever
    exit_code: int = 0


def _const(text: str) -> LineFn:
    return lambda k, t: text


def _klog(t: float, msg: str) -> str:
    dt = datetime.fromtimestamp(t, UTC)
    return f"I{dt:%m%d %H:%M:%S}.{dt.microsecond:06d}       1 log.go:245] {msg}"


def _h(*parts: object) -> int:
    return zlib.crc32(":".join(str(p) for p in parts).encode())


def _flag(argv: list[str], name: str, default: str) -> str:
    for i, a in enumerate(argv):
        if a.startswith(f"--{name}="):
            return a.split("=", 1)[1]
        if a == f"--{name}" and i + 1 < len(argv):
            return argv[i + 1]
    return default


def agnhost(ctx: LogContext) -> LogScript:
    argv = [a for a in ctx.command if a not in ("/agnhost", "agnhost")]
    if not argv or argv[0] != "netexec":
        return LogScript()  # agnhost's other subcommands (pause, ...) stay quiet
    port = _flag(argv, "http-port", "8080")
    udp = _flag(argv, "udp-port", "8081")
    paths = ("/", "/hostname", "/echo?msg=hello", "/clientip", "/healthz")

    def request(k: int, t: float) -> str:
        h = _h(ctx.seed, ctx.pod, k)
        client = f"10.42.{h % 3}.{1 + h % 200}:{30000 + h % 30000}"
        return _klog(t, f"GET {paths[h % len(paths)]}: request from {client}")

    return LogScript(
        startup=[
            (0.0, lambda k, t: _klog(t, f"Started HTTP server on port {port}")),
            (0.001, lambda k, t: _klog(t, f"Started UDP server on port  {udp}")),
        ],
        every=7.0,
        periodic=request,
        periodic_from=5.0,
    )


_NGINX_START = [
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
]
_NGINX_NOTICES = [
    'using the "epoll" event method',
    "nginx/1.27.3",
    "built by gcc 12.2.0 (Debian 12.2.0-14)",
    "OS: Linux 6.8.0-49-generic",
    "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
    "start worker processes",
    "start worker process 29",
    "start worker process 30",
]


def nginx(ctx: LogContext) -> LogScript:
    def notice(msg: str) -> LineFn:
        return lambda k, t: f"{datetime.fromtimestamp(t, UTC):%Y/%m/%d %H:%M:%S} [notice] 1#1: {msg}"

    def access(k: int, t: float) -> str:
        h = _h(ctx.seed, ctx.pod, k)
        stamp = f"{datetime.fromtimestamp(t, UTC):%d/%b/%Y:%H:%M:%S} +0000"
        return f'10.42.{h % 3}.1 - - [{stamp}] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" "-"'

    startup = [(i * 0.002, _const(line)) for i, line in enumerate(_NGINX_START)]
    startup += [(0.05 + i * 0.001, notice(m)) for i, m in enumerate(_NGINX_NOTICES)]
    return LogScript(startup=startup, every=15.0, periodic=access, periodic_from=10.0)


def bootcamp(ctx: LogContext) -> LogScript:
    def started(k: int, t: float) -> str:
        stamp = datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return f"Kubernetes Bootcamp App Started At: {stamp} | Running On:  {ctx.pod} "

    def request(k: int, t: float) -> str:
        uptime = t - ctx.start
        stamp = datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return (
            f"Running On: {ctx.pod} | Total Requests: {k + 1} | App Uptime: {uptime:.3f} seconds | "
            f"Log Time: {stamp}"
        )

    return LogScript(startup=[(0.0, started)], every=10.0, periodic=request, periodic_from=10.0)


def myapp(ctx: LogContext) -> LogScript:
    """Journey step 11: every pod produces, only the one holding the Kafka partition consumes."""

    def message(k: int, t: float) -> str:
        if k % 2 == 0:
            return f"produced message {k // 2 + 1}"
        if ctx.is_consumer():
            return f"consumed message {k // 2 + 1}"
        return f"GET /api/getMessageCount 200 count=0 ({_h(ctx.pod, k) % 9 + 1}ms)"

    return LogScript(
        startup=[
            (0.0, _const("myapp 001 starting")),
            (0.2, _const("connecting to kafka at kafka.default.svc:9092")),
            (0.5, _const("joined consumer group myapp-consumers (topic messages, 1 partition)")),
            (0.6, _const("listening on :8089")),
        ],
        every=1.0,
        periodic=message,
        periodic_from=1.0,
    )


def crash(ctx: LogContext) -> LogScript:
    return LogScript(
        startup=[
            (0.0, _const("starting crash demo")),
            (0.5, _const("loading configuration from /etc/crash/config.yaml")),
            (1.0, _const("panic: configuration file not found")),
            (1.001, _const("goroutine 1 [running]:")),
            (1.002, _const("main.main()")),
            (1.003, _const("\t/src/main.go:23 +0x1d4")),
        ],
        exit_after=1.5,
        exit_code=1,
    )


def logger(ctx: LogContext) -> LogScript:
    try:
        rate = float(ctx.env.get("LINES_PER_SECOND", "10"))
    except ValueError:
        rate = 10.0
    rate = min(max(rate, 0.001), 100_000.0)

    def line(k: int, t: float) -> str:
        return f'{ctx.pod} line {k + 1} level=info msg="handled request" latency_ms={_h(ctx.pod, k) % 97}'

    return LogScript(every=1.0 / rate, periodic=line)


def hello_world(ctx: LogContext) -> LogScript:
    text = [
        "",
        "Hello from Docker!",
        "This message shows that your installation appears to be working correctly.",
    ]
    return LogScript(startup=[(i * 0.001, _const(t)) for i, t in enumerate(text)], exit_after=0.1)


def coredns(ctx: LogContext) -> LogScript:
    lines = [
        ".:53",
        "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
        "CoreDNS-1.11.3",
        "linux/amd64, go1.21.11, a6338e9",
    ]

    def query(k: int, t: float) -> str:
        h = _h(ctx.seed, ctx.pod, k)
        name = ("kubernetes.default.svc.cluster.local.", "hello-node.default.svc.cluster.local.")[h % 2]
        return (
            f'[INFO] 10.42.{h % 3}.{2 + h % 50}:{40000 + h % 20000} - {h % 65536} "A IN {name} udp 54 false 512" '
            f"NOERROR qr,aa,rd 106 0.000{100 + h % 800}s"
        )

    return LogScript(
        startup=[(i * 0.001, _const(line)) for i, line in enumerate(lines)],
        every=20.0,
        periodic=query,
        periodic_from=15.0,
    )


def busybox_script(argv: list[str]) -> LogScript:
    """Runs the few shell idioms pods use: ``echo``, ``sleep``, ``sh -c 'while true; do echo ..; sleep 1; done'``."""
    if not argv:
        return LogScript(exit_after=0.05)  # busybox's default CMD is sh, which exits at once without a tty
    prog = argv[0].rsplit("/", 1)[-1]
    if prog in ("sh", "ash", "bash") and len(argv) >= 3 and argv[1] == "-c":
        return _shell(argv[2])
    return _shell(shlex.join(argv))


def _statements(script: str) -> list[str]:
    """Shell statements, with ``for X in a b c; do ...; done`` unrolled (``while`` loops are kept)."""
    parts = [p.strip() for p in script.replace("\n", ";").split(";")]
    parts = [p for p in parts if p]
    out: list[str] = []
    i = 0
    while i < len(parts):
        words = parts[i].split()
        if len(words) >= 3 and words[0] == "for" and words[2] == "in":
            var, items = words[1], words[3:]
            body: list[str] = []
            i += 1
            while i < len(parts) and parts[i] != "done":
                body.append(parts[i].removeprefix("do ").strip() if parts[i] != "do" else "")
                i += 1
            for item in items:
                out.extend(b.replace("${" + var + "}", item).replace("$" + var, item) for b in body if b)
        else:
            out.append(parts[i])
        i += 1
    return out


def _echo_text(stmt: str) -> LineFn:
    try:
        words = shlex.split(stmt)[1:]
    except ValueError:
        words = stmt.split()[1:]
    text = " ".join(w for w in words if w not in ("-n", "-e"))

    def line(k: int, t: float) -> str:
        out = text.replace("$(date)", f"{datetime.fromtimestamp(t, UTC):%a %b %d %H:%M:%S UTC %Y}")
        return out.replace("$i", str(k + 1))

    return line


def _sleep_seconds(stmt: str) -> float | None:
    words = stmt.split()
    if len(words) < 2:
        return 0.0
    if words[1] in ("infinity", "inf"):
        return None
    try:
        return float(words[1].rstrip("s"))
    except ValueError:
        return 0.0


def _shell(script: str) -> LogScript:
    statements = _statements(script)
    startup: list[tuple[float, LineFn]] = []
    offset = 0.0
    i = 0
    while i < len(statements):
        stmt = statements[i]
        word = stmt.split()[0]
        if stmt.startswith("while true") or stmt.startswith("while :"):
            body: list[str] = []
            i += 1
            while i < len(statements) and statements[i] != "done":
                body.append(statements[i].removeprefix("do").strip())
                i += 1
            period = sum(_sleep_seconds(s) or 0.0 for s in body if s.startswith("sleep")) or 0.01
            echoes = [_echo_text(s) for s in body if s.startswith("echo")]
            if not echoes:
                return LogScript(startup=startup)

            def periodic(k: int, t: float, echoes: list[LineFn] = echoes) -> str:
                return echoes[k % len(echoes)](k // len(echoes), t)

            return LogScript(
                startup=startup, every=period / len(echoes), periodic=periodic, periodic_from=offset
            )
        if word == "echo":
            startup.append((offset, _echo_text(stmt)))
            offset += 0.001
        elif word == "sleep":
            seconds = _sleep_seconds(stmt)
            if seconds is None:
                return LogScript(startup=startup)
            offset += seconds
        elif word == "exit":
            code = stmt.split()[1] if len(stmt.split()) > 1 else "0"
            return LogScript(
                startup=startup, exit_after=offset + 0.01, exit_code=int(code) if code.isdigit() else 1
            )
        i += 1
    return LogScript(startup=startup, exit_after=offset + 0.05)


def busybox(ctx: LogContext) -> LogScript:
    return busybox_script(ctx.command)

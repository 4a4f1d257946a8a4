"""The real control plane as processes on loopback: etcd, kube-apiserver (TLS, RBAC, a token file),
kube-controller-manager, kube-scheduler and kwok with N fake nodes, plus the kubeconfigs to reach it.

    python3 dev.py realk8s up [--nodes N]   build if needed, start, wait until ready, print how to use it
    python3 dev.py realk8s env              print ``export KUBECONFIG=...`` for the running stack
    python3 dev.py realk8s down             stop every process and remove the stack's folder

Tests use ``Stack`` directly (tests/conftest.py starts one per session). Every process runs in its own
process group and is recorded in ``stack.json``, so ``down`` leaves nothing behind even from another shell.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import secrets
import shutil
import signal
import ssl
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.realk8s import bootstrap, build, commands, pki
from tests.realk8s.bootstrap import TOKEN_USERS, node_object
from tests.realk8s.commands import ADVERTISE_ADDRESS, CLUSTER_CIDR, SERVICE_CIDR
from tests.realk8s.kubeconfigs import CONTEXT, write_kubeconfig
from tests.realk8s.procs import Component, alive, free_port, reap, signal_group, spawn, tail

__all__ = [
    "ADVERTISE_ADDRESS",
    "CLUSTER_CIDR",
    "CONTEXT",
    "SERVICE_CIDR",
    "TOKEN_USERS",
    "Component",
    "Stack",
    "default_workdir",
    "free_port",
    "main",
    "node_object",
]

READY_TIMEOUT = 60.0


def default_workdir() -> Path:
    return Path(tempfile.gettempdir()) / f"kubetui-realk8s-{os.getuid()}"


@dataclass
class Stack:
    """One control plane in ``workdir``. ``up()`` starts it; ``down()`` stops it and everything it started."""

    workdir: Path
    nodes: int = 2
    bin_dir: Path | None = None
    ports: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    components: dict[str, Component] = field(default_factory=dict)

    # -- paths --------------------------------------------------------------------------------------------

    @property
    def pki_dir(self) -> Path:
        return self.workdir / "pki"

    @property
    def kubeconfig(self) -> Path:
        """The admin kubeconfig (client certificate in system:masters), context ``realk8s``."""
        return self.workdir / "kubeconfig"

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.ports['apiserver']}"

    @property
    def ca_file(self) -> Path:
        return self.pki_dir / "ca.crt"

    def log_file(self, name: str) -> Path:
        return self.workdir / "logs" / f"{name}.log"

    # -- lifecycle ----------------------------------------------------------------------------------------

    def up(self, timeout: float = READY_TIMEOUT, log: Any = None) -> None:
        """Start everything and return once /readyz answers and every node is Ready."""
        say = log or (lambda _line: None)
        if self.bin_dir is None:
            self.bin_dir = build.ensure_built(say)
        if self.workdir.exists():
            Stack.load(self.workdir).down()
        (self.workdir / "logs").mkdir(parents=True)
        self.workdir.chmod(0o700)
        self.ports = {
            name: free_port() for name in ("etcd", "etcd-peer", "apiserver", "kcm", "sched", "kwok")
        }
        self.tokens = {user: secrets.token_hex(16) for user in TOKEN_USERS}
        started = time.monotonic()
        deadline = started + timeout
        try:
            self._write_pki()
            self._write_kubeconfigs()
            self._start_etcd()
            self._wait(
                lambda: self._http_ok(f"http://127.0.0.1:{self.ports['etcd']}/health"), deadline, "etcd"
            )
            self._start_apiserver()
            self._wait(lambda: self._api_ok("/readyz"), deadline, "kube-apiserver /readyz")
            self._bootstrap()
            self._start_controllers()
            self._wait(self._nodes_ready, deadline, f"{self.nodes} Ready nodes")
            self._wait(
                lambda: self._api_ok("/api/v1/namespaces/default/serviceaccounts/default"),
                deadline,
                "the default ServiceAccount",
            )
        except BaseException:
            self.down(remove=False)
            raise
        say(f"realk8s: up in {time.monotonic() - started:.1f}s at {self.server} ({self.nodes} kwok nodes)")

    def down(self, remove: bool = True) -> None:
        """Stop every component (TERM, then KILL after 5 s) and, unless told otherwise, remove the folder."""
        for component in reversed(list(self.components.values())):
            signal_group(component.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for component in self.components.values():
            while alive(component.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            signal_group(component.pid, signal.SIGKILL)
            reap(component.pid)
        self.components.clear()
        state = self.workdir / "stack.json"
        if remove:
            shutil.rmtree(self.workdir, ignore_errors=True)
        elif state.exists():
            self._save()

    def stop_component(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop one component (for restart tests); ``start_component`` brings it back with the same flags."""
        component = self.components[name]
        signal_group(component.pid, sig)
        deadline = time.monotonic() + 10
        while alive(component.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        signal_group(component.pid, signal.SIGKILL)
        reap(component.pid)

    def start_component(self, name: str) -> None:
        self._spawn(name, self.components[name].argv)

    def restart_apiserver(self, timeout: float = 60) -> None:
        self.stop_component("kube-apiserver")
        self.start_component("kube-apiserver")
        self._wait(lambda: self._api_ok("/readyz"), time.monotonic() + timeout, "kube-apiserver /readyz")

    def restart_etcd(self, timeout: float = 60) -> None:
        self.stop_component("etcd")
        self.start_component("etcd")
        self._wait(lambda: self._api_ok("/readyz"), time.monotonic() + timeout, "kube-apiserver /readyz")

    def compact_etcd(self) -> int:
        """Compact etcd's history up to its current revision, so older resourceVersions answer 410 Gone."""
        base = f"http://127.0.0.1:{self.ports['etcd']}/v3/kv"
        header = self._etcd_post(f"{base}/range", {"key": base64.b64encode(b"/").decode()})["header"]
        revision = int(header["revision"])
        self._etcd_post(f"{base}/compaction", {"revision": revision, "physical": True})
        return revision

    # -- kubeconfigs for other users ------------------------------------------------------------------------

    def token_kubeconfig(self, user: str, path: Path | None = None, *, token: str | None = None) -> Path:
        """A kubeconfig for a token-file user (or any ``token``), trusting the stack's CA."""
        path = path or self.workdir / f"kubeconfig-{user}"
        write_kubeconfig(path, self.server, self.ca_file, user, {"token": token or self.tokens[user]})
        return path

    def cert_kubeconfig(
        self,
        name: str,
        common_name: str,
        *,
        organizations: tuple[str, ...] = (),
        not_after: datetime.datetime | None = None,
        server: str | None = None,
    ) -> Path:
        """A kubeconfig with a new client certificate signed by the stack's CA (``not_after`` in the past
        gives an expired one), reaching ``server`` (default: the 127.0.0.1 address)."""
        pair = pki.Authority.load(self.pki_dir).issue(
            name, common_name, organizations=organizations, client=True, not_after=not_after
        )
        credentials = {"client-certificate": str(pair.cert), "client-key": str(pair.key)}
        return write_kubeconfig(
            self.workdir / f"kubeconfig-{name}", server or self.server, self.ca_file, name, credentials
        )

    def env(self) -> dict[str, str]:
        return {"KUBECONFIG": str(self.kubeconfig)}

    # -- persistence for ``dev.py realk8s down`` from another process ------------------------------------

    def _save(self) -> None:
        data = {
            "nodes": self.nodes,
            "bin_dir": str(self.bin_dir),
            "ports": self.ports,
            "tokens": self.tokens,
            "components": {n: {"argv": c.argv, "pid": c.pid} for n, c in self.components.items()},
        }
        path = self.workdir / "stack.json"
        path.write_text(json.dumps(data, indent=1))
        path.chmod(0o600)

    @classmethod
    def load(cls, workdir: Path) -> Stack:
        path = workdir / "stack.json"
        stack = cls(workdir)
        if path.exists():
            data = json.loads(path.read_text())
            stack.nodes = int(data.get("nodes", 2))
            stack.bin_dir = Path(data["bin_dir"]) if data.get("bin_dir") else None
            stack.ports = dict(data.get("ports", {}))
            stack.tokens = dict(data.get("tokens", {}))
            stack.components = {
                name: Component(name, list(c["argv"]), int(c["pid"]))
                for name, c in data["components"].items()
            }
        return stack

    # -- start-up steps ---------------------------------------------------------------------------------

    def _write_pki(self) -> None:
        ca = pki.Authority(self.pki_dir)
        ca.issue(
            "apiserver",
            "kube-apiserver",
            server=True,
            dns=(
                "localhost",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local",
            ),
            ips=("127.0.0.1", "10.96.0.1"),
        )
        ca.issue("admin", "kubetui-admin", organizations=("system:masters",), client=True)
        ca.issue(
            "apiserver-kubelet-client",
            "kube-apiserver-kubelet-client",
            organizations=("system:masters",),
            client=True,
        )
        ca.issue("controller-manager", "system:kube-controller-manager", client=True)
        ca.issue("scheduler", "system:kube-scheduler", client=True)
        ca.issue("kwok", "kwok-controller", organizations=("system:masters",), client=True)
        ca.issue("kwok-serving", "kwok", server=True, dns=("localhost",), ips=("127.0.0.1",))
        pki.service_account_keys(self.pki_dir)
        lines = [
            f'{token},{user},uid-{user},"{",".join(TOKEN_USERS[user])}"'
            for user, token in self.tokens.items()
        ]
        tokens = self.pki_dir / "tokens.csv"
        tokens.write_text("\n".join(lines) + "\n")
        tokens.chmod(0o600)

    def _write_kubeconfigs(self) -> None:
        p = self.pki_dir
        for name, pair in (
            ("kubeconfig", "admin"),
            ("kubeconfig-controller-manager", "controller-manager"),
            ("kubeconfig-scheduler", "scheduler"),
            ("kubeconfig-kwok", "kwok"),
        ):
            write_kubeconfig(
                self.workdir / name,
                self.server,
                self.ca_file,
                pair,
                {"client-certificate": str(p / f"{pair}.crt"), "client-key": str(p / f"{pair}.key")},
            )

    def _layout(self) -> commands.Layout:
        assert self.bin_dir is not None
        return commands.Layout(self.bin_dir, self.workdir, self.ports)

    def _start_etcd(self) -> None:
        self._spawn("etcd", commands.etcd(self._layout()))

    def _start_apiserver(self) -> None:
        self._spawn("kube-apiserver", commands.apiserver(self._layout()))

    def _start_controllers(self) -> None:
        at = self._layout()
        self._spawn("kube-controller-manager", commands.controller_manager(at))
        self._spawn("kube-scheduler", commands.scheduler(at))
        config = self.workdir / "kwok.yaml"
        config.write_text(commands.kwok_config(self.workdir))
        self._spawn("kwok", commands.kwok(at, config))

    def _bootstrap(self) -> None:
        """Nodes for kwok to manage, and the RBAC the token users are described with (see bootstrap.py)."""
        for path, body in bootstrap.requests(self.nodes):
            self.api("POST", path, body)

    # -- helpers ----------------------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> None:
        self.components[name] = spawn(name, argv, self.log_file(name))
        self._save()

    def _ssl(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.load_cert_chain(self.pki_dir / "admin.crt", self.pki_dir / "admin.key")
        return context

    def api(self, method: str, path: str, body: Any = None, timeout: float = 10) -> Any:
        """One admin request to the API server (JSON in and out); raises urllib's HTTPError on failure."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, context=self._ssl(), timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip().startswith(b"{") else raw.decode()

    def _api_ok(self, path: str) -> bool:
        try:
            self.api("GET", path, timeout=2)
        except (OSError, urllib.error.URLError, ssl.SSLError, ValueError):
            return False
        return True

    @staticmethod
    def _http_ok(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return bool(resp.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    @staticmethod
    def _etcd_post(url: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as resp:
            return json.loads(resp.read())

    def _nodes_ready(self) -> bool:
        try:
            nodes = self.api("GET", "/api/v1/nodes", timeout=2)["items"]
        except (OSError, urllib.error.URLError, KeyError):
            return False
        ready = [
            n
            for n in nodes
            if any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in n.get("status", {}).get("conditions", [])
            )
        ]
        return len(ready) >= self.nodes

    def _wait(self, check: Any, deadline: float, what: str) -> None:
        while time.monotonic() < deadline:
            for component in self.components.values():
                if not alive(component.pid):
                    last = tail(self.log_file(component.name))
                    raise RuntimeError(f"realk8s: {component.name} exited while waiting for {what}:\n{last}")
            if check():
                return
            time.sleep(0.1)
        logs = "\n".join(f"--- {c}\n{tail(self.log_file(c))}" for c in self.components)
        raise TimeoutError(f"realk8s: no {what} within the start-up limit\n{logs}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py realk8s", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("up", "down", "env", "build"))
    parser.add_argument("--nodes", type=int, default=2, help="kwok nodes (default 2)")
    parser.add_argument("--dir", type=Path, default=default_workdir(), help="where the stack keeps its files")
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if args.command == "build":
        try:
            print(build.ensure_built(say))
        except build.BuildError as exc:
            say(f"realk8s: {exc}")
            return 1
        return 0
    if args.command == "down":
        Stack.load(args.dir).down()
        say(f"realk8s: stopped; {args.dir} removed")
        return 0
    if args.command == "env":
        stack = Stack.load(args.dir)
        if not stack.components:
            say("realk8s: not running (python3 dev.py realk8s up)")
            return 1
        print(f"export KUBECONFIG={stack.kubeconfig}")
        return 0
    stack = Stack(args.dir, nodes=args.nodes)
    try:
        stack.up(log=say)
    except build.BuildError as exc:
        say(f"realk8s: {exc}")
        return 1
    except (RuntimeError, TimeoutError) as exc:
        say(str(exc))
        return 1
    say("realk8s: kubectl and kubetui reach it with:")
    print(f"export KUBECONFIG={stack.kubeconfig}")
    say("realk8s: stop it with: python3 dev.py realk8s down")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

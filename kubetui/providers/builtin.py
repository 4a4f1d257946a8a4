"""The built-in cluster as a provider: ``kubetui sim serve`` detached in the background, state under XDG data.

Each cluster lives in ``<data>/kubetui/clusters/NAME/``: ``cluster.json`` (its fixed port and node count),
``state.json`` (every object, saved by the server on SIGTERM), ``kubeconfig`` (written by the server),
``serve.pid`` and ``serve.log``. The server runs in its own session, so it outlives kubetui.

Its context ``kubetui-NAME`` is merged into the user's kubeconfig (the file k3d, kind and minikube write to)
and selected on create, because that is what the other providers do and so what a user of them expects;
the cluster's own kubeconfig is there too for ``export KUBECONFIG=...``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kubetui.providers import kubeconfigs
from kubetui.providers.base import (
    ClusterInfo,
    ClusterSpec,
    NodeInfo,
    Preset,
    Provider,
    check_name,
    check_node_name,
)
from kubetui.providers.builtin_support import log_tail, node_list, port_free, port_open
from kubetui.providers.paths import builtin_clusters_dir
from kubetui.providers.process import Run, TaskRun

SERVE_CONTEXT = "kubetui-sim"  # the context name `kubetui sim serve --kubeconfig` writes
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
PORT_BASE, PORT_SPAN = 30000, 20000

SINGLE = Preset(id="single", label="1 node, empty", servers=1)
LAB = Preset(id="lab", label="3 nodes (1 control plane, 2 workers), empty", servers=1, agents=2)

Emit = Callable[[str], None]

# Servers started by this process: polled so that a stopped one is reaped rather than left a zombie.
_children: dict[int, subprocess.Popen[bytes]] = {}


class BuiltinProvider(Provider):
    name = "builtin"
    label = "built-in"
    executable = None
    presets = (SINGLE, LAB)
    needs_docker = False
    can_add_node = True

    def __init__(self, root: Path | None = None, kubeconfig: Path | None = None) -> None:
        self._root = root
        self._kubeconfig = kubeconfig

    @property
    def root(self) -> Path:
        return self._root or builtin_clusters_dir()

    def use_kubeconfig(self, path: Path) -> None:
        """Merge contexts into ``path`` instead of the default (KUBECONFIG's first file or ~/.kube/config)."""
        self._kubeconfig = path

    @property
    def user_kubeconfig(self) -> Path:
        return self._kubeconfig or kubeconfigs.user_kubeconfig_path()

    def context_name(self, cluster: str) -> str:
        return f"kubetui-{cluster}"

    def dir(self, name: str) -> Path:
        return self.root / check_name(name)

    def kubeconfig_path(self, name: str) -> Path:
        return self.dir(name) / "kubeconfig"

    def export_hint(self, name: str) -> str:
        return f"export KUBECONFIG={self.kubeconfig_path(name)}"

    def _meta(self, name: str) -> dict[str, Any]:
        return json.loads((self.dir(name) / "cluster.json").read_text())

    def serve_command(self, name: str, port: int, nodes: int) -> list[str]:
        d = self.dir(name)
        return [
            sys.executable, "-m", "kubetui", "sim", "serve",
            "--state", str(d / "state.json"),
            "--kubeconfig", str(d / "kubeconfig"),
            "--port", str(port),
            "--nodes", str(nodes),
        ]  # fmt: skip

    def create_command(self, spec: ClusterSpec) -> list[str]:
        return self.serve_command(
            spec.name, self.port_for(spec.name), spec.preset.servers + spec.preset.agents
        )

    def port_for(self, name: str) -> int:
        """The cluster's fixed port: kept in cluster.json once created, else derived from its name."""
        try:
            return int(self._meta(name)["port"])
        except (OSError, KeyError, ValueError):
            pass
        taken = {c["port"] for c in self._all_meta()}
        port = PORT_BASE + zlib.crc32(name.encode()) % PORT_SPAN
        while port in taken or not port_free(port):
            port = PORT_BASE + (port - PORT_BASE + 1) % PORT_SPAN
        return port

    def _all_meta(self) -> list[dict[str, Any]]:
        out = []
        if self.root.is_dir():
            for d in sorted(self.root.iterdir()):
                with contextlib.suppress(OSError, ValueError):
                    out.append(json.loads((d / "cluster.json").read_text()))
        return out

    # -- process bookkeeping --------------------------------------------------------------------------------

    def pid(self, name: str) -> int | None:
        """The server's pid if it is running (and really is this cluster's server), else None."""
        try:
            pid = int((self.dir(name) / "serve.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        child = _children.get(pid)
        if child is not None:
            return pid if child.poll() is None else None
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return None
        # Guard against pid reuse after a reboot: the process must be serving this cluster's state file.
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return pid  # no /proc (macOS): trust the pid file
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            return None
        return pid if str(self.dir(name) / "state.json").encode() in cmdline else None

    def _spawn(self, name: str, emit: Emit) -> int:
        meta = self._meta(name)
        argv = self.serve_command(name, int(meta["port"]), int(meta.get("nodes", 1)))
        d = self.dir(name)
        d.chmod(0o700)  # clusters made before this rule too: state.json holds Secret data
        emit("$ " + " ".join(argv))
        with open(d / "serve.log", "ab") as log:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own session: it survives kubetui and the terminal closing
                cwd=d,
            )
        _children[proc.pid] = proc
        (d / "serve.pid").write_text(f"{proc.pid}\n")
        return proc.pid

    async def _wait_ready(self, name: str, pid: int, emit: Emit) -> None:
        port = int(self._meta(name)["port"])
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.pid(name) != pid:
                tail = log_tail(self.dir(name) / "serve.log")
                raise RuntimeError(f"the built-in cluster's server exited during start-up:\n{tail}")
            if self.kubeconfig_path(name).exists() and await port_open(port):
                emit(f"API server listening on 127.0.0.1:{port} (pid {pid})")
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the server did not listen on port {port} within {READY_TIMEOUT:.0f}s")

    async def _terminate(self, name: str, emit: Emit) -> None:
        pid = self.pid(name)
        if pid is None:
            emit(f"{name} is not running")
            return
        emit(f"Stopping the API server (pid {pid}); it saves its state on SIGTERM")
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.pid(name) == pid and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if self.pid(name) == pid:
            emit("It did not stop in time; killing it (changes since the last save are lost)")
            os.killpg(pid, signal.SIGKILL)
            while self.pid(name) == pid:
                await asyncio.sleep(0.05)
        _children.pop(pid, None)
        with contextlib.suppress(OSError):
            (self.dir(name) / "serve.pid").unlink()
        emit(f"Stopped {name}; state kept in {self.dir(name) / 'state.json'}")

    def _discard(self, name: str) -> None:
        """Kill a half-started server at once and remove its directory."""
        pid = self.pid(name)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            child = _children.pop(pid, None)
            if child is not None:
                child.wait()
        shutil.rmtree(self.dir(name), ignore_errors=True)

    # -- provider operations ------------------------------------------------------------------------------

    def create(self, spec: ClusterSpec) -> Run:
        argv = self.create_command(spec)

        async def body(emit: Emit) -> int:
            d = self.dir(spec.name)
            if (d / "cluster.json").exists():
                emit(f"error: a built-in cluster named {spec.name!r} already exists")
                return 1
            nodes = spec.preset.servers + spec.preset.agents
            # Its state.json holds Secret data and its kubeconfig credentials: the owner's alone.
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
            d.chmod(0o700)
            port = int(argv[argv.index("--port") + 1])
            meta = {"name": spec.name, "port": port, "nodes": nodes, "created": time.time()}
            (d / "cluster.json").write_text(json.dumps(meta, indent=2) + "\n")
            emit(f"Creating built-in cluster {spec.name!r} with {nodes} node(s) in {d}")
            try:
                pid = self._spawn(spec.name, emit)
                await self._wait_ready(spec.name, pid, emit)
            except BaseException:
                # Cancelled or failed half-way: leave nothing behind, so the same name can be created again.
                self._discard(spec.name)
                raise
            self._merge_context(spec.name, select=True)
            emit(f'Set kubectl context to "{self.context_name(spec.name)}" in {self.user_kubeconfig}')
            emit(f"Or point kubectl at this cluster alone: {self.export_hint(spec.name)}")
            return 0

        return TaskRun(argv, body)

    def start(self, name: str) -> Run:
        check_name(name)

        async def body(emit: Emit) -> int:
            if self.pid(name) is not None:
                emit(f"{name} is already running")
                return 0
            pid = self._spawn(name, emit)
            await self._wait_ready(name, pid, emit)
            self._merge_context(name, select=False)
            emit(f"Started {name}; objects restored from {self.dir(name) / 'state.json'}")
            return 0

        return TaskRun(["kubetui", "sim", "serve", "--state", str(self.dir(name) / "state.json")], body)

    def stop(self, name: str) -> Run:
        check_name(name)

        async def body(emit: Emit) -> int:
            await self._terminate(name, emit)
            return 0

        return TaskRun(["kill", "-TERM", f"<pid of {name}>"], body)

    def delete(self, name: str) -> Run:
        check_name(name)

        async def body(emit: Emit) -> int:
            if not self.dir(name).exists():
                emit(f"error: no built-in cluster named {name!r}")
                return 1
            await self._terminate(name, emit)
            shutil.rmtree(self.dir(name))
            if kubeconfigs.remove_context(self.user_kubeconfig, self.context_name(name)):
                emit(f"Removed context {self.context_name(name)} from {self.user_kubeconfig}")
            emit(f"Deleted built-in cluster {name!r}")
            return 0

        return TaskRun(["rm", "-r", str(self.dir(name))], body)

    def next_node_name(self, cluster: ClusterInfo) -> str:
        names = {n.name for n in cluster.nodes}
        n = sum(1 for x in names if "worker" in x) + 1
        while (name := "kubetui-worker" if n == 1 else f"kubetui-worker{n}") in names:
            n += 1
        return name

    def add_node(self, cluster: str, node: str) -> Run:
        """Register one more Ready worker node with the running server, as a kubelet joining would.

        The request goes through a ``Connection`` on the cluster's own kubeconfig, like every other write, so
        it passes the same read-only gate.
        """
        check_name(cluster)
        check_node_name(node)
        port = self.port_for(cluster)
        url = f"http://127.0.0.1:{port}/api/v1/nodes"

        async def body(emit: Emit) -> int:
            from kubetui.cluster.connection import Connection
            from kubetui.cluster.errors import ClusterError
            from kubetui.sim.controllers.nodes import make_node, next_node_index
            from kubetui.sim.store import now_rfc3339

            if self.pid(cluster) is None:
                emit(f"error: {cluster} is not running; start it first")
                return 1
            try:
                conn = await Connection.open(
                    str(self.kubeconfig_path(cluster)), SERVE_CONTEXT, readonly=self.readonly
                )
                async with conn:
                    items = (await conn.request("GET", "/api/v1/nodes", timeout=10)).get("items") or []
                    obj = make_node(
                        node,
                        next_node_index(items),
                        control_plane=False,
                        tainted=False,
                        ready=True,
                        now=now_rfc3339(),
                    )
                    await conn.request("POST", "/api/v1/nodes", body=obj, timeout=10)
            except ClusterError as exc:
                emit(exc.message)
                return 1
            meta = self._meta(cluster)
            meta["nodes"] = int(meta.get("nodes", 1)) + 1
            (self.dir(cluster) / "cluster.json").write_text(json.dumps(meta, indent=2) + "\n")
            emit(f"node/{node} created")
            return 0

        return TaskRun(["POST", url, node], body)

    def _merge_context(self, name: str, select: bool) -> None:
        kubeconfigs.merge_from(
            self.user_kubeconfig, self.kubeconfig_path(name), SERVE_CONTEXT, self.context_name(name), select
        )

    async def list_clusters(self) -> list[ClusterInfo]:
        out = []
        for meta in self._all_meta():
            name = str(meta.get("name", ""))
            if not name:
                continue
            running = self.pid(name) is not None
            nodes = await node_list(int(meta["port"])) if running else None
            if nodes is None:
                count = int(meta.get("nodes", 1))
                # Stopped: the nodes as last seen running, else as many as it was created with.
                state = "unknown" if running else "stopped"
                nodes = [NodeInfo(n, r, state) for n, r in meta.get("last_nodes", [])] or [
                    NodeInfo(f"node-{i + 1}", "node", state) for i in range(count)
                ]
            elif meta.get("last_nodes") != [[n.name, n.role] for n in nodes]:
                meta["last_nodes"] = [[n.name, n.role] for n in nodes]
                with contextlib.suppress(OSError):
                    (self.dir(name) / "cluster.json").write_text(json.dumps(meta, indent=2) + "\n")
            out.append(
                ClusterInfo(
                    self.name,
                    name,
                    self.context_name(name),
                    nodes,
                    "running" if running else "stopped",
                    detail=f"127.0.0.1:{meta['port']} · {self.export_hint(name)}",
                    seen_by={"kubetui"},
                )
            )
        return out

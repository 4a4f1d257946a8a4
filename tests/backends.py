"""The two clusters tests run against: the built-in one (in the test's loop) and the real control plane.

A ``Backend`` gives a test what it needs without caring which cluster it is: an admin kubeconfig, fresh
namespaces of its own (the real control plane is shared by the whole session), and a way to wait for the
cluster's controllers. The fixtures that make them are in tests/conftest.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import NotFound

REQUIRE_ENV = "KUBETUI_REQUIRE_REALK8S"  # CI sets it: a missing real control plane fails instead of skipping
_names = itertools.count(1)


def realk8s_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


@dataclass
class Backend:
    """One cluster as a test sees it. ``sim`` is the SimServer on the built-in backend, else None."""

    name: str  # "sim" or "real"
    kubeconfig: Path
    server: str
    conn: Connection
    sim: Any = None
    stack: Any = None
    namespaces: list[str] = field(default_factory=list)

    @property
    def real(self) -> bool:
        return self.name == "real"

    async def namespace(self, prefix: str = "t") -> str:
        """A new namespace for this test only, ready for pods (its default ServiceAccount exists)."""
        name = f"{prefix}-{os.getpid() % 10000}-{next(_names)}"
        await self.conn.request("POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
        self.namespaces.append(name)
        if self.real:
            # The ServiceAccount admission plugin refuses pods until the controller made "default".
            await wait_for(
                lambda: _exists(self.conn, f"/api/v1/namespaces/{name}/serviceaccounts/default"),
                what=f"ServiceAccount default in {name}",
            )
        return name

    async def cleanup(self) -> None:
        for name in self.namespaces:
            try:
                await self.conn.request("DELETE", f"/api/v1/namespaces/{name}")
            except NotFound:
                pass
            except Exception:
                if not self.real:
                    raise
        await self.conn.close()


async def _exists(conn: Connection, path: str) -> bool:
    try:
        await conn.request("GET", path)
    except NotFound:
        return False
    return True


async def wait_for(
    check: Callable[[], Awaitable[Any]],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "condition",
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


# Fields the server fills in differently for every object (or every cluster): left out when twins are compared.
_VOLATILE_METADATA = (
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "namespace",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
_VOLATILE_ANNOTATIONS = ("kubectl.kubernetes.io/restartedAt",)


def normalised(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` without what differs between twin namespaces for reasons other than the operation: identity,
    versions, timestamps, field managers, status, allocated IPs and node ports, owner uids."""
    out = json.loads(json.dumps(obj))
    meta = out.get("metadata") or {}
    for key in _VOLATILE_METADATA:
        meta.pop(key, None)
    for ref in meta.get("ownerReferences") or []:
        ref.pop("uid", None)
    for holder in (meta, ((out.get("spec") or {}).get("template") or {}).get("metadata") or {}):
        notes = holder.get("annotations") or {}
        for key in _VOLATILE_ANNOTATIONS:
            if key in notes:
                notes[key] = "<time>"
    out.pop("status", None)
    spec = out.get("spec") or {}
    for key in ("clusterIP", "clusterIPs"):
        spec.pop(key, None)
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.pop("nodePort", None)
    return out


@dataclass
class Twins:
    """Two fresh namespaces on one backend: kubetui acts in ``mine``, kubectl does the same in ``theirs``."""

    backend: Backend
    mine: str
    theirs: str

    @property
    def conn(self) -> Connection:
        return self.backend.conn

    @property
    def kubeconfig(self) -> Path:
        return self.backend.kubeconfig

    async def get(self, path: str) -> dict[str, Any]:
        """GET ``path`` with ``{}`` standing for the namespace, in ``mine`` and in ``theirs``."""
        result: dict[str, Any] = await self.conn.request("GET", path.format(self.mine))
        return result

    async def both(self, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
        mine = await self.conn.request("GET", path.format(self.mine))
        theirs = await self.conn.request("GET", path.format(self.theirs))
        return mine, theirs

    async def kubectl(self, *args: str) -> str:
        """Real kubectl in ``theirs``; it must succeed. Returns what it printed."""
        from tests.cluster.simhelp import kubectl

        result = await kubectl(self.kubeconfig, "-n", self.theirs, *args)
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    async def same_deployment(self, name: str) -> dict[str, Any]:
        """Both twins' Deployment ``name`` once rolled out, asserted equal after normalising; returns mine."""
        mine = await settled(self.conn, self.mine, name)
        theirs = await settled(self.conn, self.theirs, name)
        assert normalised(mine) == normalised(theirs)
        return mine


async def settled(conn: Connection, ns: str, name: str) -> dict[str, Any]:
    """The Deployment once its controller has observed it and its rollout is done (or failed)."""
    from kubetui.cluster import ops

    path = f"/apis/apps/v1/namespaces/{ns}/deployments/{name}"
    try:
        async for message in ops.rollout_status(conn, ns, name, timeout=120):
            if message.done or message.failed:
                break
    except TimeoutError:
        # Say where it stuck: the Deployment's status and every pod's phase and readiness.
        status = (await conn.request("GET", path)).get("status")
        pods = [
            (p["metadata"]["name"], p["status"].get("phase"), p["status"].get("conditions"))
            for p in (await conn.request("GET", f"/api/v1/namespaces/{ns}/pods"))["items"]
        ]
        raise AssertionError(
            f"Deployment {ns}/{name} did not roll out: status {status}; pods {pods}"
        ) from None
    result: dict[str, Any] = await conn.request("GET", path)
    return result

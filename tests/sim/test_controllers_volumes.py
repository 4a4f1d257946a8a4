"""PersistentVolumes and claims move as the real binder moves them: Available, Bound to the smallest volume that
fits, Pending until one appears (bound on the next 15 s pass), Released or Failed when the claim goes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from kubetui.sim.server import SimServer
from tests.backends import wait_for
from tests.cluster.simhelp import open_connection

PVS = "/api/v1/persistentvolumes"
PVCS = "/api/v1/namespaces/default/persistentvolumeclaims"


def _pv(
    name: str, size: str, policy: str = "Retain", modes: tuple[str, ...] = ("ReadWriteOnce",)
) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": size},
            "accessModes": list(modes),
            "persistentVolumeReclaimPolicy": policy,
            "storageClassName": "manual",
            "hostPath": {"path": f"/data/{name}"},
        },
    }


def _pvc(name: str, size: str, modes: tuple[str, ...] = ("ReadWriteOnce",)) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {
            "accessModes": list(modes),
            "storageClassName": "manual",
            "resources": {"requests": {"storage": size}},
        },
    }


async def test_claims_bind_to_the_smallest_volume_that_fits(sim: SimServer, tmp_path: Any) -> None:
    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kc"))

    async def phase(path: str) -> str:
        return ((await conn.request("GET", path)).get("status") or {}).get("phase") or ""

    for pv in (
        _pv("big", "10Gi"),
        _pv("small", "2Gi"),
        _pv("tiny", "500Mi"),
        _pv("rox", "1Gi", modes=("ReadOnlyMany",)),
    ):
        await conn.request("POST", PVS, body=pv)
    for name in ("big", "small", "tiny", "rox"):
        await wait_for(lambda n=name: _is(phase(f"{PVS}/{n}"), "Available"), what=f"{name} Available")

    await conn.request("POST", PVCS, body=_pvc("data", "1Gi"))
    await wait_for(lambda: _is(phase(f"{PVCS}/data"), "Bound"), what="the claim Bound")
    claim = await conn.request("GET", f"{PVCS}/data")
    # tiny is too small, rox has the wrong access mode, big is bigger than small.
    assert claim["spec"]["volumeName"] == "small"
    assert claim["status"]["capacity"] == {"storage": "2Gi"}
    assert claim["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    volume = await conn.request("GET", f"{PVS}/small")
    assert volume["status"]["phase"] == "Bound"
    assert (volume["spec"]["claimRef"]["namespace"], volume["spec"]["claimRef"]["name"]) == (
        "default",
        "data",
    )
    assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert await phase(f"{PVS}/big") == "Available"

    # The claim goes: a Retain volume keeps its data and its claim reference, Released.
    await conn.request("DELETE", f"{PVCS}/data")
    await wait_for(lambda: _is(phase(f"{PVS}/small"), "Released"), what="small Released")
    assert (await conn.request("GET", f"{PVS}/small"))["spec"]["claimRef"]["name"] == "data"


async def test_a_claim_waits_for_a_volume_and_a_deleted_delete_volume_fails(
    sim: SimServer, tmp_path: Any
) -> None:
    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kc"))

    async def phase(path: str) -> str:
        return ((await conn.request("GET", path)).get("status") or {}).get("phase") or ""

    await conn.request("POST", PVCS, body=_pvc("later", "3Gi"))
    await asyncio.sleep(0.3)
    assert await phase(f"{PVCS}/later") == "Pending"
    events = await conn.request("GET", "/api/v1/namespaces/default/events")
    assert any(
        e["involvedObject"]["name"] == "later" and e["reason"] == "ProvisioningFailed"
        and 'storageclass.storage.k8s.io "manual" not found' in e["message"]
        for e in events["items"]
    )  # fmt: skip

    # A volume created after its claim is found on the claim's next pass (15 s, 0.3 s at this cluster's speed).
    await conn.request("POST", PVS, body=_pv("gone-with-claim", "5Gi", policy="Delete"))
    await wait_for(lambda: _is(phase(f"{PVCS}/later"), "Bound"), what="the waiting claim Bound")
    await conn.request("DELETE", f"{PVCS}/later")
    await wait_for(lambda: _is(phase(f"{PVS}/gone-with-claim"), "Failed"), what="the Delete volume Failed")
    volume = await conn.request("GET", f"{PVS}/gone-with-claim")
    assert "no deletable volume plugin matched" in volume["status"]["message"]


async def _is(value: Awaitable[str], want: str) -> bool:
    return await value == want

"""How the kubelet pulls images: the catalogue decides what exists, imagePullSecrets decide what a private
registry lets through, failures back off as the kubelet's do."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import orjson

from kubetui.imageref import kubelet_message
from kubetui.sim import images

from .base import Obj, meta
from .kubelet_status import ContainerRuntime, PodRuntime, random_streams

if TYPE_CHECKING:
    from .kubelet import Kubelet

MAX_BACKOFF = 300.0
DOCKERCONFIG = "kubernetes.io/dockerconfigjson"


async def pull_image(kubelet: Kubelet, rt: PodRuntime, cr: ContainerRuntime) -> None:
    """Pulls until it works: Pulling/Pulled events, or ErrImagePull then ImagePullBackOff with growing back-off."""
    stream = random_streams(rt, cr.name)[1]
    invalid = kubelet_message(cr.image)
    if invalid is not None:
        await _never_pull(kubelet, rt, cr, invalid)
        return
    attempt = 0
    while True:
        spec = images.lookup(cr.image)
        kubelet._event(rt, "Pulling", f'Pulling image "{cr.image}"', container=cr.name)
        base = spec.pull_seconds if spec else 1.5
        if cr.pulled:
            base = 0.5  # policy Always with the image cached: only the digest is checked
        seconds = kubelet.clock.jitter(stream, base, 0.25)
        await kubelet.clock.sleep(seconds)
        pod = kubelet._pod(rt)
        if pod is None:
            return
        error = ""
        if spec is None:
            error = images.not_found_message(cr.image)
        elif spec.private and not has_registry_auth(kubelet, pod, images.registry_of(cr.image)):
            error = images.unauthorized_message(cr.image)
        if not error:
            size = spec.size_bytes if spec else 0
            kubelet._event(
                rt,
                "Pulled",
                f'Successfully pulled image "{cr.image}" in {seconds:.3f}s ({seconds:.3f}s including waiting). '
                f"Image size: {size} bytes.",
                container=cr.name,
            )
            cr.pulled = True
            kubelet.node_images.setdefault(rt.node, set()).add(images.parse_image(cr.image).full)
            return
        message = (
            f"rpc error: code = NotFound desc = {error}"
            if spec is None
            else f"rpc error: code = Unknown desc = {error}"
        )
        kubelet._event(
            rt, "Failed", f'Failed to pull image "{cr.image}": {message}', warning=True, container=cr.name
        )
        kubelet._event(rt, "Failed", "Error: ErrImagePull", warning=True, container=cr.name)
        cr.state = {"waiting": {"reason": "ErrImagePull", "message": message}}
        kubelet._flush(rt)
        await kubelet.clock.sleep(3.0)
        delay = min(10.0 * 2**attempt, MAX_BACKOFF)
        attempt += 1
        kubelet._event(rt, "BackOff", f'Back-off pulling image "{cr.image}"', container=cr.name)
        kubelet._event(rt, "Failed", "Error: ImagePullBackOff", warning=True, container=cr.name)
        cr.state = {
            "waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{cr.image}"'}
        }
        kubelet._flush(rt)
        await kubelet.clock.sleep(delay)


async def _never_pull(kubelet: Kubelet, rt: PodRuntime, cr: ContainerRuntime, message: str) -> None:
    """An image that does not parse is never pulled: InvalidImageName until the pod goes or is replaced, the
    kubelet repeating its events on each pod sync, as a real kubelet does."""
    cr.state = {"waiting": {"reason": "InvalidImageName", "message": message}}
    kubelet._flush(rt)
    while kubelet._pod(rt) is not None:
        kubelet._event(rt, "InspectFailed", message, warning=True, container=cr.name)
        kubelet._event(rt, "Failed", "Error: InvalidImageName", warning=True, container=cr.name)
        await kubelet.clock.sleep(MAX_BACKOFF / 5)


def has_registry_auth(kubelet: Kubelet, pod: Obj, registry: str) -> bool:
    """Whether the pod's imagePullSecrets (or its ServiceAccount's) hold credentials for ``registry``."""
    ns = meta(pod).get("namespace") or "default"
    spec = pod.get("spec") or {}
    names = [s.get("name") for s in spec.get("imagePullSecrets") or []]
    sa = kubelet.store.get("serviceaccounts", ns, spec.get("serviceAccountName") or "default")
    names += [s.get("name") for s in (sa or {}).get("imagePullSecrets") or []]
    for name in names:
        secret = kubelet.store.get("secrets", ns, name or "")
        if secret is not None and registry in registries_in_secret(secret):
            return True
    return False


def registries_in_secret(secret: Obj) -> set[str]:
    """Registry host names a dockerconfigjson (or legacy dockercfg) Secret holds credentials for."""
    data = secret.get("data") or {}
    raw = data.get(".dockerconfigjson") if secret.get("type") == DOCKERCONFIG else data.get(".dockercfg")
    if not raw:
        return set()
    try:
        doc = orjson.loads(base64.b64decode(raw))
    except (ValueError, orjson.JSONDecodeError):
        return set()
    auths = doc.get("auths", doc) if isinstance(doc, dict) else {}
    hosts = set()
    for server in auths if isinstance(auths, dict) else ():
        host = str(server).removeprefix("https://").removeprefix("http://").split("/", 1)[0]
        hosts.add(host)
    return hosts

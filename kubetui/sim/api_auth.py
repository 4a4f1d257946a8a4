"""Who the caller is and what it may do: bearer-token authentication (when the built-in cluster is started with
a token), ``kubectl auth whoami`` (SelfSubjectReview) and ``kubectl auth can-i`` (SelfSubjectAccessReview and
SelfSubjectRulesReview). The built-in cluster has no RBAC: its one user is an administrator."""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web

from kubetui.sim import errors
from kubetui.sim.api import json_response

USERNAME = "kubernetes-admin"
GROUPS = ["system:masters", "system:authenticated"]
HEALTH = ("/healthz", "/livez", "/readyz", "/version")
REVIEWS = {
    "/apis/authentication.k8s.io/v1/selfsubjectreviews": ("authentication.k8s.io/v1", "SelfSubjectReview"),
    "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews": (
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
    ),
    "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews": (
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
    ),
}


def unauthorized() -> errors.ApiError:
    return errors.ApiError(401, "Unauthorized", "Unauthorized")


def check_token(request: web.Request, token: str | None) -> None:
    """With a token configured, every request but the health checks must carry it (401 otherwise, as
    kube-apiserver answers a credential it does not know)."""
    if not token:
        return
    header = request.headers.get("Authorization", "")
    if not header and request.path.rstrip("/") in HEALTH:
        return
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise unauthorized()


async def review(request: web.Request) -> web.StreamResponse | None:
    """Answers a self-review POST; None when the request is not one."""
    path = request.path.rstrip("/")
    if path not in REVIEWS:
        return None
    if request.method != "POST":
        raise errors.method_not_allowed()
    api_version, kind = REVIEWS[path]
    from kubetui.sim.api_write import read_body

    body: Any = await read_body(request)  # JSON, or protobuf as kubectl's typed clients send
    spec = (body.get("spec") if isinstance(body, dict) else None) or {}
    out: dict[str, Any] = {"kind": kind, "apiVersion": api_version, "metadata": {}}
    if kind == "SelfSubjectReview":
        from kubetui.sim.store import now_rfc3339

        out["metadata"]["creationTimestamp"] = now_rfc3339()
        out["status"] = {"userInfo": {"username": USERNAME, "groups": GROUPS}}
    elif kind == "SelfSubjectAccessReview":
        out["spec"] = spec
        out["status"] = {"allowed": True}
    else:
        out["spec"] = spec
        out["status"] = {
            "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": False,
        }
    return json_response(out, 201)

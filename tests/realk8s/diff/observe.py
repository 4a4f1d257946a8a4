"""What the controller scenarios share: requests that must succeed, polling until a condition holds, and the
paths they build on."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.realk8s.diff.runner import Client

Scenario = Callable[[Client, str], Any]
APPS = "/apis/apps/v1/namespaces/{ns}"
CORE = "/api/v1/namespaces/{ns}"


def ok(result: tuple[int, Any, list[str]], what: str) -> Any:
    """The body of a successful answer; anything else fails the scenario with the answer."""
    code, body, _ = result
    if code >= 300:
        raise AssertionError(f"{what}: {code} {body!r:.300}")
    return body


def wait(client: Client, path: str, until: Callable[[Any], Any], what: str, timeout: float = 120) -> Any:
    """Polls ``path`` until ``until(body)`` is truthy and returns that value."""
    deadline = time.monotonic() + timeout
    body: Any = None
    while time.monotonic() < deadline:
        code, body, _ = client.send("GET", path, None, "")
        if code == 200 and (found := until(body)):
            return found
        time.sleep(0.1)
    status = body.get("status") if isinstance(body, dict) else body
    raise AssertionError(f"{client.name}: timed out waiting for {what} (last status: {status!r:.400})")


def condition(obj: Any, kind: str) -> dict[str, Any]:
    """An object's status condition of one type ({} when it has none)."""
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == kind), {})


def events(client: Client, ns: str, reasons: set[str], names: set[str]) -> list[tuple[str, str, str]]:
    """(object, reason, message) of the events about the named objects of the namespace with those reasons,
    the namespace written NS."""
    body = ok(client.send("GET", f"{CORE.format(ns=ns)}/events", None, ""), "events")
    found = {
        (e["involvedObject"].get("name", ""), e["reason"], str(e.get("message", "")).replace(ns, "NS"))
        for e in body["items"]
        if e.get("reason") in reasons and e["involvedObject"].get("name") in names
    }
    return sorted(found)

"""Runs the differential script against the built-in cluster and the real control plane, and reports.

    python3 dev.py diff            start both clusters, run the script, print the report by category, then
                                   compare the controllers (controllers.py) on the same specs

Each step goes to both servers at once; their answers (status code, Warning headers and body, or the events of
a watch) are normalised (normalise.py) and compared. A step that differs must be listed with its reason in
known_differences.yaml, beside this file; the pytest test (test_diff.py) fails on an unlisted one.
"""

from __future__ import annotations

import argparse
import json
import secrets
import ssl
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.realk8s.diff.normalise import Normaliser, differences
from tests.realk8s.diff.script import Ctx, Step, Wait, script

HERE = Path(__file__).resolve().parent
KNOWN = HERE / "known_differences.yaml"
TARGET = 95.0


@dataclass
class Client:
    """Plain HTTP(S) to one API server, as an admin."""

    name: str
    server: str
    context: ssl.SSLContext | None = None
    normaliser: Normaliser = field(default_factory=lambda: Normaliser([]))
    ctx: Ctx = field(default_factory=dict)
    # The built-in cluster's server object, for what has no API request: a node's kubelet stopping.
    sim: Any = None

    def send(
        self,
        method: str,
        path: str,
        body: Any,
        ctype: str,
        accept: str = "application/json",
        timeout: float = 20,
    ) -> tuple[int, Any, list[str]]:
        data: bytes | None
        if body is None:
            data = None
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
        request = urllib.request.Request(self.server + path, data=data, method=method)
        request.add_header("Accept", accept)
        request.add_header("User-Agent", "kubetui-diff/1.0")
        if data is not None:
            request.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=timeout) as resp:
                code, headers = resp.status, resp.headers
                raw = _read_until_closed(resp)
        except urllib.error.HTTPError as err:
            code, raw, headers = err.code, err.read(), err.headers
        warnings = [w.split(" - ", 1)[-1].strip('"') for w in headers.get_all("Warning") or []]
        return code, _decode(raw), warnings

    def watch(self, path: str) -> tuple[int, Any, list[str]]:
        code, raw, warnings = self.send("GET", path, None, "", timeout=30)
        if code != 200 or not isinstance(raw, str):
            return code, raw, warnings
        events = [json.loads(line) for line in raw.splitlines() if line.strip()]
        kept = [e for e in events if e.get("type") != "BOOKMARK" or _initial_end(e)]
        return code, kept, warnings


def _read_until_closed(resp: Any) -> bytes:
    """The whole body; a stream still open when the socket times out ends there (a watch that overran)."""
    chunks: list[bytes] = []
    try:
        while True:
            line = resp.readline()
            if not line:
                break
            chunks.append(line)
    except TimeoutError:
        chunks.append(b'{"type": "HARNESS", "object": {"message": "the stream did not end by its timeout"}}')
    return b"".join(chunks)


def _initial_end(event: dict[str, Any]) -> bool:
    annotations = event.get("object", {}).get("metadata", {}).get("annotations") or {}
    return annotations.get("k8s.io/initial-events-end") == "true"


def _decode(raw: bytes) -> Any:
    text = raw.decode(errors="replace")
    stripped = text.strip()
    if stripped.startswith("{") and "\n{" not in stripped:
        try:
            return json.loads(stripped)
        except ValueError:
            pass
    return text


@dataclass
class Outcome:
    step: Step
    same: bool
    detail: list[str]
    answers: tuple[Any, Any] = (None, None)  # (built-in, real), normalised


def _resolve(value: Any, ctx: Ctx) -> Any:
    return value(ctx) if callable(value) else value


def run_step(step: Step, clients: tuple[Client, Client]) -> Outcome:
    def one(client: Client) -> tuple[int, Any, list[str]]:
        try:
            path = _resolve(step.path, client.ctx)
            body = _resolve(step.body, client.ctx)
        except (KeyError, TypeError, AttributeError) as exc:  # an earlier answer lacked what this step needs
            client.ctx[step.name] = None
            return -1, f"the step could not be built from earlier answers: {exc!r}", []
        if step.watch:
            result = client.watch(path)
        else:
            result = client.send(step.method, path, body, step.ctype, step.accept)
        client.ctx[step.name] = result[1]
        if step.only is not None:
            result = (result[0], step.only(result[1]), result[2])
        return result

    with ThreadPoolExecutor(2) as pool:
        sim_result, real_result = pool.map(one, clients)
    read = step.method != "POST"
    sim_n = _shape(clients[0].normaliser, sim_result, read)
    real_n = _shape(clients[1].normaliser, real_result, read)
    detail = differences(sim_n, real_n)
    return Outcome(step, not detail, detail, (sim_n, real_n))


def _shape(normaliser: Normaliser, result: tuple[int, Any, list[str]], read: bool) -> dict[str, Any]:
    code, body, warnings = result
    return {
        "code": code,
        "warnings": [normaliser.text(w) for w in warnings],
        "body": normaliser.body(body, read=read),
    }


def wait(step: Wait, clients: tuple[Client, Client]) -> None:
    for client in clients:
        deadline = time.monotonic() + step.timeout
        while True:
            code, body, _ = client.send("GET", _resolve(step.path, client.ctx), None, "")
            if step.until(code, body):
                break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{client.name}: timed out waiting for {step.what} (last: {code} {body!r:.300})"
                )
            time.sleep(0.2)


@dataclass
class Report:
    outcomes: list[Outcome]
    known: dict[str, str]

    @property
    def percentage(self) -> float:
        same = sum(o.same for o in self.outcomes)
        return 100.0 * same / max(1, len(self.outcomes))

    @property
    def unlisted(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.same and o.step.name not in self.known]

    @property
    def stale(self) -> list[str]:
        same = {o.step.name for o in self.outcomes if o.same}
        return sorted(n for n in self.known if n in same)

    def text(self, verbose: bool = True) -> str:
        lines = ["Built-in cluster against the real control plane, identical after normalisation:", ""]
        categories: dict[str, list[Outcome]] = {}
        for o in self.outcomes:
            categories.setdefault(o.step.category, []).append(o)
        for category, outcomes in categories.items():
            same = sum(o.same for o in outcomes)
            lines.append(
                f"  {category:<16} {same:>3}/{len(outcomes):<3} {100.0 * same / len(outcomes):5.1f}%"
            )
        total = sum(o.same for o in self.outcomes)
        lines += ["", f"  {'total':<16} {total:>3}/{len(self.outcomes):<3} {self.percentage:5.1f}%", ""]
        differing = [o for o in self.outcomes if not o.same]
        if differing:
            lines.append("Differences (known ones with their reason from known_differences.yaml):")
            for o in differing:
                reason = self.known.get(o.step.name)
                mark = "known" if reason else "UNLISTED"
                lines.append(f"  [{mark}] {o.step.category}/{o.step.name}: {o.step.method} {o.step.describe}")
                if reason:
                    lines.append(f"      reason: {reason}")
                if verbose or not reason:
                    lines.extend(f"      {d}" for d in o.detail)
        if self.stale:
            lines.append("Listed in known_differences.yaml but identical now: " + ", ".join(self.stale))
        return "\n".join(lines)


def load_known() -> dict[str, str]:
    data = yaml.safe_load(KNOWN.read_text()) if KNOWN.exists() else None
    return {str(k): str(v).strip() for k, v in (data or {}).items()}


def run(sim: Client, real: Client, namespace: str) -> Report:
    clients = (sim, real)
    for client in clients:
        code, nodes, _ = client.send("GET", "/api/v1/nodes", None, "")
        assert code == 200, f"{client.name}: cannot list nodes: {code} {nodes!r:.300}"
        client.normaliser = Normaliser([n["metadata"]["name"] for n in nodes["items"]])
        client.ctx["ns"] = namespace
    outcomes: list[Outcome] = []
    for step in script(namespace):
        if isinstance(step, Wait):
            wait(step, clients)
        else:
            outcomes.append(run_step(step, clients))
    return Report(outcomes, load_known())


# -- starting both clusters -----------------------------------------------------------------------------------


def real_client(stack: Any) -> Client:
    context = ssl.create_default_context(cafile=str(stack.ca_file))
    context.load_cert_chain(stack.pki_dir / "admin.crt", stack.pki_dir / "admin.key")
    return Client("real", stack.server, context)


def sim_client(server: Any) -> Client:
    return Client("built-in", server.url, sim=server)


def new_namespace() -> str:
    return f"diff-{secrets.token_hex(3)}"


@contextmanager
def real_stack() -> Iterator[Any]:
    """The real control plane in a folder of its own, stopped and removed afterwards."""
    from tests.realk8s import build
    from tests.realk8s.stack import Stack

    with tempfile.TemporaryDirectory(prefix="kubetui-diff-") as tmp:
        stack = Stack(Path(tmp) / "realk8s", nodes=2, bin_dir=build.ensure_built(print))
        stack.up(log=print)
        try:
            yield stack
        finally:
            stack.down()


@contextmanager
def built_in(speed: float = 1.0) -> Iterator[Client]:
    from kubetui.sim.testing import running_sim_thread

    with running_sim_thread(scenario="empty", nodes=2, speed=speed) as server:
        yield sim_client(server)


@contextmanager
def both_clusters(speed: float = 1.0) -> Iterator[tuple[Client, Client]]:
    with real_stack() as stack, built_in(speed) as sim:
        yield sim, real_client(stack)


def main(argv: list[str]) -> int:
    from tests.realk8s.diff import controllers

    parser = argparse.ArgumentParser(prog="dev.py diff", description=__doc__.splitlines()[0])
    parser.add_argument("--brief", action="store_true", help="details only for unlisted differences")
    parser.add_argument("--dump", metavar="FILE", help="write both answers of every differing step as JSON")
    parser.add_argument("--no-controllers", action="store_true", help="compare the requests only")
    args = parser.parse_args(argv)
    known = load_known()
    with real_stack() as stack:
        with built_in() as sim:
            report = run(sim, real_client(stack), new_namespace())
        print(report.text(verbose=not args.brief))
        ok = report.percentage >= TARGET and not report.unlisted
        if not args.no_controllers:
            # The controllers are compared by what they do, not when: the built-in cluster runs five times faster.
            with built_in(speed=5.0) as sim:
                result = controllers.compare(sim, real_client(stack), new_namespace())
            print("\nControllers on the same specs:")
            for name, diff in result.items():
                listed = f"controller/{name}" in known
                print(
                    f"  {name:<22} {'identical' if not diff else 'differs (known)' if listed else 'DIFFERS'}"
                )
                print("".join(f"      {line}\n" for line in diff), end="")
                ok = ok and (not diff or listed)
    if args.dump:
        answers = {
            o.step.name: {"built-in": o.answers[0], "real": o.answers[1]}
            for o in report.outcomes
            if not o.same
        }
        Path(args.dump).write_text(json.dumps(answers, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Exec credential plugins run as kubectl runs them, except: never longer than ``timeout`` (a plugin waiting for
a browser login would leave "connecting" up for ever), never on the app's terminal (stdin is the TUI's), and
when one gives up or fails, what it wrote to stderr is in the error.

``install()`` puts ``BoundedExecProvider`` where kubernetes_asyncio's kubeconfig loader looks for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from typing import Any

from kubetui.cluster.k8s_client import ConfigException, ExecProvider, kube_config


class BoundedExecProvider(ExecProvider):
    timeout = 20.0

    async def run(self, previous_response: str | None = None) -> Any:
        info: dict[str, Any] = {
            "apiVersion": self.api_version,
            "kind": "ExecCredential",
            "spec": {"interactive": False},  # the terminal belongs to the app: a plugin must not prompt on it
        }
        if previous_response:
            info["spec"]["response"] = previous_response
        self.env["KUBERNETES_EXEC_INFO"] = json.dumps(info)
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.args,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # so a timeout ends whatever it started too
            )
        except OSError as exc:
            raise ConfigException(f"exec: cannot run {self.args[0]}: {exc.strerror or exc}") from None
        out, err = bytearray(), bytearray()
        assert proc.stdout is not None and proc.stderr is not None
        readers = asyncio.gather(_read(proc.stdout, out), _read(proc.stderr, err))
        try:
            exit_code = await asyncio.wait_for(proc.wait(), self.timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
            await readers
            said = _tail(err)
            raise ConfigException(
                f"exec: {self.args[0]} did not finish within {self.timeout:.0f}s"
                + (f"; it said: {said}" if said else "")
            ) from None
        await readers
        if exit_code != 0:
            said = _tail(err)
            raise ConfigException(f"exec: process returned {exit_code}" + (f". {said}" if said else ""))
        try:
            data = json.loads(bytes(out))
        except ValueError as exc:
            raise ConfigException(f"exec: failed to decode process output: {exc}") from None
        for key in ("apiVersion", "kind", "status"):
            if not isinstance(data, dict) or key not in data:
                raise ConfigException(f"exec: malformed response. missing key '{key}'")
        if data["apiVersion"] != self.api_version:
            raise ConfigException(
                f"exec: plugin api version {data['apiVersion']} does not match {self.api_version}"
            )
        return data["status"]


async def _read(stream: asyncio.StreamReader, into: bytearray) -> None:
    while chunk := await stream.read(4096):
        if len(into) < 64 * 1024:
            into += chunk


def _tail(data: bytearray, limit: int = 300) -> str:
    text = " ".join(bytes(data).decode(errors="replace").split())
    return text if len(text) <= limit else "…" + text[-limit:]


def install() -> None:
    kube_config.ExecProvider = BoundedExecProvider  # type: ignore[misc]

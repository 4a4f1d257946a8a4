"""Dialogs of the clusters view: create (checks, preset, validated name, exact command), delete, run progress."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Log, Select, Static

from kubetui.providers.base import ClusterSpec, Finding, Provider, validate_cluster_name
from kubetui.providers.kubeconfigs import Verification
from kubetui.providers.process import Run
from kubetui.providers.registry import apply_fix, blocking, checks, select_and_verify
from kubetui.widgets.line_input import LineInput

_MARK = {"ok": "✓", "warn": "!", "error": "✗"}

DIALOG_CSS = """
ClusterDialog { align: center middle; }
ClusterDialog > VerticalScroll {
    width: 96; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 0 1;
}
ClusterDialog .title { text-style: bold; margin-bottom: 1; }
ClusterDialog .muted { color: $text-muted; }
ClusterDialog #error { color: $error; height: auto; }
ClusterDialog #command { background: $boost; padding: 0 1; height: auto; }
ClusterDialog #checks { height: auto; }
ClusterDialog #output { height: 16; max-height: 40vh; border: round $panel; }
ClusterDialog #diagnosis { color: $warning; height: auto; }
ClusterDialog Horizontal { height: auto; margin-top: 1; }
ClusterDialog Horizontal.row { margin-top: 0; }
ClusterDialog #provider { width: 22; }
ClusterDialog #preset { width: 1fr; }
ClusterDialog Select, ClusterDialog Input { margin-bottom: 1; }
ClusterDialog Button { margin-right: 1; }
"""


class ClusterDialog(ModalScreen[object]):
    """Shared look; escape cancels."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # At 80x24 the dialog is taller than the screen: whatever takes focus is brought into view at once.
        event.widget.scroll_visible(animate=False, immediate=True)

    def action_cancel(self) -> None:
        self.dismiss(None)


def findings_text(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{_MARK[f.level]} {f.message}")
        if f.advice and f.level != "ok":
            lines.append(f"    {f.advice}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CreateRequest:
    provider: str
    spec: ClusterSpec


class CreateClusterDialog(ClusterDialog):
    """Choose provider and preset, name the cluster; shows the checks and the exact command before it runs."""

    class ChecksDone(Message):
        def __init__(self, provider: str, findings: list[Finding]) -> None:
            super().__init__()
            self.provider = provider
            self.findings = findings

    def __init__(
        self, providers: list[Provider], provider: str | None = None, docker_url: str | None = None
    ) -> None:
        super().__init__()
        self.providers = {p.name: p for p in providers}
        self.provider_name = provider if provider in self.providers else providers[0].name
        self.docker_url = docker_url
        self.findings: dict[str, list[Finding]] = {}

    def compose(self) -> ComposeResult:
        provider = self.providers[self.provider_name]
        with VerticalScroll(can_focus=False):
            yield Label("Create a local cluster", classes="title")
            with Horizontal(classes="row"):
                yield Select(
                    [(p.label, p.name) for p in self.providers.values()],
                    value=self.provider_name,
                    allow_blank=False,
                    id="provider",
                )
                yield Select(
                    _preset_options(provider), value=provider.presets[0].id, allow_blank=False, id="preset"
                )
            yield LineInput(
                placeholder="name: lowercase letters, digits and '-', at most 32", id="name", max_length=64
            )
            yield Static("", id="error")
            yield Label("Checks", classes="muted")
            yield Static("checking ...", id="checks")
            yield Label("Will run", classes="muted")
            yield Static("", id="command")
            with Horizontal():
                yield Button("Create", variant="primary", id="ok", disabled=True)
                yield Button("Use the built-in cluster", id="builtin")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#builtin").display = False
        self.query_one("#name", Input).focus()
        self._run_checks()

    @property
    def provider(self) -> Provider:
        return self.providers[self.provider_name]

    def _run_checks(self) -> None:
        name = self.provider_name
        self.query_one("#checks", Static).update("checking ...")

        async def work() -> None:
            self.post_message(self.ChecksDone(name, await checks(self.providers[name], self.docker_url)))

        self.run_worker(work(), group="checks", exclusive=True)

    def on_create_cluster_dialog_checks_done(self, message: ChecksDone) -> None:
        self.findings[message.provider] = message.findings
        if message.provider == self.provider_name:
            self._refresh()

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        if event.value == self.provider_name or event.value is Select.NULL:
            return
        self.provider_name = str(event.value)
        preset = self.query_one("#preset", Select)
        preset.set_options(_preset_options(self.provider))
        preset.value = self.provider.presets[0].id
        if self.provider_name in self.findings:
            self._refresh()
        else:
            self._run_checks()

    @on(Select.Changed, "#preset")
    @on(Input.Changed, "#name")
    def _changed(self) -> None:
        self._refresh()

    def current_spec(self) -> ClusterSpec | None:
        name = self.query_one("#name", Input).value
        preset = self.query_one("#preset", Select).value
        if validate_cluster_name(name) or preset is Select.NULL:
            return None
        return ClusterSpec(name, self.provider.preset(str(preset)))

    def _refresh(self) -> None:
        name = self.query_one("#name", Input).value
        problem = validate_cluster_name(name) if name else None
        self.query_one("#error", Static).update(problem or "")
        findings = self.findings.get(self.provider_name)
        self.query_one("#checks", Static).update(findings_text(findings) if findings else "checking ...")
        blocked = findings is not None and blocking(findings)
        builtin = self.query_one("#builtin", Button)
        builtin.display = blocked and self.provider_name != "builtin" and "builtin" in self.providers
        spec = self.current_spec()
        command = self.query_one("#command", Static)
        if spec is None:
            command.update("(name the cluster to see the command)")
        else:
            text = "$ " + shlex.join(self.provider.create_command(spec))
            for path, content in self.provider.create_files(spec).items():
                text += f"\n\nwith {path}:\n{content.rstrip()}"
            command.update(text)
        self.query_one("#ok", Button).disabled = spec is None or findings is None or blocked

    @on(Button.Pressed, "#builtin")
    def _use_builtin(self) -> None:
        self.query_one("#provider", Select).value = "builtin"
        self.query_one("#name", Input).focus()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted, "#name")
    def _ok(self) -> None:
        if self.query_one("#ok", Button).disabled:
            return
        spec = self.current_spec()
        if spec is not None:
            self.dismiss(CreateRequest(self.provider_name, spec))


def _preset_options(provider: Provider) -> list[tuple[str, str]]:
    return [(p.label, p.id) for p in provider.presets]


class DeleteClusterDialog(ClusterDialog):
    """Deleting a cluster destroys its nodes and data: the user types its name; focus starts on Cancel."""

    def __init__(self, provider_label: str, name: str) -> None:
        super().__init__()
        self.provider_label = provider_label
        self.cluster_name = name

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Label(f"Delete {self.provider_label} cluster {self.cluster_name}?", classes="title")
            yield Label("Its nodes and everything in it are removed. This cannot be undone.")
            yield Label(f"Type {self.cluster_name} to confirm:", classes="muted")
            yield LineInput(placeholder=f"type {self.cluster_name} to confirm", id="confirm")
            with Horizontal():
                yield Button("Delete", variant="error", id="ok", disabled=True)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Input.Changed, "#confirm")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#ok", Button).disabled = event.value != self.cluster_name

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted, "#confirm")
    def _ok(self) -> None:
        if self.query_one("#confirm", Input).value == self.cluster_name:
            self.dismiss(True)


@dataclass(slots=True)
class RunOutcome:
    ok: bool
    cancelled: bool
    returncode: int | None
    verification: Verification | None = None


class RunDialog(ClusterDialog):
    """Streams a provider run with elapsed time and Cancel; after create/start, connects and offers a fix."""

    class OutputLine(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    class Finished(Message):
        pass

    class Verified(Message):
        def __init__(self, result: Verification) -> None:
            super().__init__()
            self.result = result

    def __init__(
        self,
        title: str,
        run: Run,
        *,
        provider: Provider | None = None,
        cluster: str | None = None,
        kubeconfig: Path | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.run = run
        self.provider = provider
        self.cluster = cluster  # set: select the cluster's context and verify it after success
        self.kubeconfig = kubeconfig
        self.finished = False
        self.finish_text = ""
        self.verification: Verification | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Label(self.title_text, classes="title")
            yield Static("$ " + shlex.join(self.run.argv), id="command")
            yield Log(id="output", auto_scroll=True)
            yield Static("starting ...", id="status")
            yield Static("", id="diagnosis")
            with Horizontal():
                yield Button("Cancel", variant="error", id="cancel")
                yield Button("Rewrite the kubeconfig", variant="warning", id="fix")

    def on_mount(self) -> None:
        self.query_one("#fix").display = False
        self.query_one("#cancel", Button).focus()
        self.set_interval(0.25, self._tick)
        self.run_worker(self._stream(), group="run", exclusive=True)

    async def _stream(self) -> None:
        async for line in self.run.lines():
            self.post_message(self.OutputLine(line))
        self.post_message(self.Finished())

    def _tick(self) -> None:
        if not self.finished:
            verb = "cancelling" if self.run.cancelled else "running"
            self.query_one("#status", Static).update(f"{verb} ... {self.run.elapsed:.1f}s")

    def on_run_dialog_output_line(self, message: OutputLine) -> None:
        self.query_one("#output", Log).write_line(message.line)

    def on_run_dialog_finished(self, message: Finished) -> None:
        self.finished = True
        run = self.run
        if run.cancelled:
            text = f"cancelled after {run.elapsed:.1f}s"
        elif run.ok:
            text = f"done in {run.elapsed:.1f}s"
        else:
            text = f"failed (exit code {run.returncode}) after {run.elapsed:.1f}s"
        self.finish_text = text
        self.query_one("#status", Static).update(text)
        button = self.query_one("#cancel", Button)
        button.label = "Close"
        button.variant = "primary" if run.ok else "default"
        if run.ok and self.provider is not None and self.cluster is not None:
            self.query_one("#status", Static).update(
                text + " · checking the kubeconfig entry by connecting ..."
            )
            self._verify(fix=False)

    def _verify(self, fix: bool) -> None:
        provider, cluster, kubeconfig = self.provider, self.cluster, self.kubeconfig
        assert provider is not None and cluster is not None
        diagnosis = self.verification.diagnosis if self.verification else None

        async def work() -> None:
            if fix and diagnosis is not None:
                result = await apply_fix(diagnosis, provider.context_name(cluster), kubeconfig)
            else:
                result = await select_and_verify(provider, cluster, kubeconfig)
            self.post_message(self.Verified(result))

        self.run_worker(work(), group="verify", exclusive=True)

    def on_run_dialog_verified(self, message: Verified) -> None:
        result = self.verification = message.result
        status = self.query_one("#status", Static)
        diag = self.query_one("#diagnosis", Static)
        fix = self.query_one("#fix", Button)
        if result.ok:
            status.update(
                f"{self.finish_text} · connected to {result.server} ({result.version}) · context {result.context} selected"
            )
            diag.update("")
            fix.display = False
            return
        status.update(
            f"{self.finish_text} · context {result.context} selected, but connecting failed: {result.error}"
        )
        if result.diagnosis is None:
            diag.update("")
            fix.display = False
            return
        d = result.diagnosis
        diag.update(
            f"{d.problem}.\n{d.explanation}\nFix: rewrite the server of {result.context} to {d.fix_server} "
            "in the kubeconfig? (press the button to confirm)"
        )
        fix.label = f"Rewrite to {d.fix_server}"
        fix.display = True

    @on(Button.Pressed, "#fix")
    def _fix(self) -> None:
        self.query_one("#fix").display = False
        self.query_one("#status", Static).update("rewriting the server and connecting again ...")
        self._verify(fix=True)

    @on(Button.Pressed, "#cancel")
    def _cancel_or_close(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.finished:
            if not self.run.cancelled:
                self.run_worker(self.run.cancel(), group="cancel")
            return
        self.dismiss(self.outcome())

    def outcome(self) -> RunOutcome:
        return RunOutcome(self.run.ok, self.run.cancelled, self.run.returncode, self.verification)

"""The one table of keyed actions (id, key, label, kinds, dangerous, mutates) and the handler registry.

Every key kubetui answers to is listed here once. The main screen builds its bindings from this table, the
help screen and the command palette list it, and the user's keymap overrides keys by action id. Object actions
(``group == "object"``) act on the selected object of the focused pane; a handler registered for the id does
the work: ``async handler(app, target)``. Mutating actions are hidden and refused when the session is read-only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from kubetui import kinds


@dataclass(frozen=True)
class Action:
    """One thing the person can do by a key: on the focused object (``object``) or on the app/screen."""

    id: str
    key: str
    label: str
    kinds: frozenset[str] = frozenset()  # empty: applies everywhere; else read from the registry of kinds
    dangerous: bool = False
    mutates: bool = False
    group: str = "object"  # object | navigation | view | app
    description: str = ""
    show: bool = True  # offered in the footer

    def applies_to(self, kind: str | None) -> bool:
        return not self.kinds or (kind is not None and kind in self.kinds)


ACTIONS: tuple[Action, ...] = (
    # -- acting on the cluster (dialogs come from screens/dialogs) ----------------------------------------
    Action("new", "n", "New", kinds.applies("new"), mutates=True, description="Create a Deployment"),
    Action(
        "expose",
        "x",
        "Expose",
        kinds.applies("expose"),
        mutates=True,
        description="Create a Service for the selected workload",
    ),
    Action(
        "scale",
        "s",
        "Scale",
        kinds.applies("scale"),
        mutates=True,
        description="Set the number of replicas",
    ),
    Action(
        "scale_up",
        "plus",
        "+1",
        kinds.applies("scale_up"),
        mutates=True,
        show=False,
        description="Scale up by one replica",
    ),
    Action(
        "scale_down",
        "minus",
        "-1",
        kinds.applies("scale_down"),
        mutates=True,
        show=False,
        description="Scale down by one replica",
    ),
    Action(
        "set_image",
        "i",
        "Image",
        kinds.applies("set_image"),
        mutates=True,
        description="Set a container image (rolling update)",
    ),
    Action(
        "undo",
        "u",
        "Undo",
        kinds.applies("undo"),
        mutates=True,
        description="Roll back to an earlier revision",
    ),
    Action(
        "restart",
        "r",
        "Restart",
        kinds.applies("restart"),
        mutates=True,
        description="Rollout restart: replace every pod",
    ),
    Action(
        "delete",
        "ctrl+d",
        "Delete",
        kinds.applies("delete"),
        dangerous=True,
        mutates=True,
        description="Delete the selected object",
    ),
    Action(
        "edit",
        "e",
        "Edit",
        kinds.applies("edit"),
        mutates=True,
        show=False,
        description="Edit the object in $VISUAL/$EDITOR and send the change (kubectl edit)",
    ),
    Action("apply", "a", "Apply", frozenset(), mutates=True, description="Apply a manifest file"),
    Action(
        "pull_secret",
        "ctrl+r",
        "Pull secret",
        kinds.applies("pull_secret"),
        mutates=True,
        show=False,
        description="Create a registry Secret and add it to the Deployment's imagePullSecrets",
    ),
    # -- into the pod: exec and port-forward (both writes: pods/exec and pods/portforward are "create") ----------
    Action(
        "shell",
        "S",
        "Shell",
        kinds.applies("shell"),
        mutates=True,
        description="A shell in the pod's container (/bin/bash, then /bin/sh); exit to come back",
    ),
    Action(
        "shell_command",
        "E",
        "Shell…",
        kinds.applies("shell_command"),
        mutates=True,
        show=False,
        description="Choose the container and the command of the shell",
    ),
    Action(
        "port_forward",
        "F",
        "Forward",
        kinds.applies("port_forward"),
        mutates=True,
        description="Forward a local port to the pod (a Service's or Deployment's ready pod)",
    ),
    # -- looking at an object -------------------------------------------------------------------------------
    Action(
        "describe",
        "d",
        "Describe",
        kinds.applies("describe"),
        description="Describe the object, with its events",
    ),
    Action("yaml", "y", "YAML", kinds.applies("yaml"), description="Show the object as YAML"),
    Action(
        "logs",
        "l",
        "Logs",
        kinds.applies("logs"),
        description="Logs full screen (every pod of a workload)",
    ),
    # -- moving around ------------------------------------------------------------------------------------
    Action("next_pane", "tab", "Next pane", group="navigation", show=False),
    Action("prev_pane", "shift+tab", "Previous pane", group="navigation", show=False),
    Action(
        "drill",
        "enter",
        "Drill down",
        group="navigation",
        show=False,
        description="Deployment → its pods, pod → logs, node → its pods",
    ),
    Action(
        "back",
        "escape",
        "Back",
        group="navigation",
        show=False,
        description="Clear the filter or selection, close a view",
    ),
    Action(
        "forwards",
        "ctrl+f",
        "Forwards",
        group="view",
        show=False,
        description="The port-forwards with their traffic and state: stop (x) or re-target (r)",
    ),
    Action(
        "sort_cpu",
        "C",
        "Sort CPU",
        group="view",
        show=False,
        description="Sort Pods and Nodes by CPU use, largest first (again: by name)",
    ),
    Action(
        "sort_mem",
        "M",
        "Sort MEM",
        group="view",
        show=False,
        description="Sort Pods and Nodes by memory use, largest first (again: by name)",
    ),
    Action("zoom", "z", "Zoom", group="view", description="Zoom the focused pane to full screen and back"),
    Action(
        "command",
        "colon",
        "Command",
        group="view",
        description=":pods :deploy :svc :nodes :rs :events, any kind (:cm :secret :sts :crd ...), :api-resources, :ns NAME :ctx NAME :clusters :q",
    ),
    Action("filter", "slash", "Filter", group="view", description="Filter rows: text, regex, or -l app=web"),
    Action("all_namespaces", "0", "All ns", group="view", description="Toggle all namespaces"),
    Action("namespaces", "ctrl+n", "Namespace", group="view", show=False, description="Pick a namespace"),
    Action(
        "contexts", "ctrl+t", "Context", group="view", show=False, description="Pick a kubeconfig context"
    ),
    Action(
        "retry",
        "ctrl+l",
        "Retry now",
        group="app",
        show=False,
        description="Reconnect and list everything again now, instead of waiting for the next retry",
    ),
    Action("help", "question_mark", "Help", group="app", description="Every key"),
    Action("quit", "q", "Quit", group="app"),
)

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}


def visible(action: Action, kind: str | None, readonly: bool) -> bool:
    """Whether ``action`` is offered on ``kind``: mutations vanish when read-only."""
    if action.mutates and readonly:
        return False
    return action.applies_to(kind)


def add_action(action: Action) -> None:
    """Adds an action to the table (for parts that bring their own keys); the id must be new."""
    global ACTIONS
    if action.id in BY_ID:
        raise ValueError(f"action {action.id!r} already exists")
    ACTIONS = (*ACTIONS, action)
    BY_ID[action.id] = action


# -- handlers -----------------------------------------------------------------------------------------------


@dataclass
class Target:
    """What an object action acts on: the focused pane's kind, the selected object (or None), the session.

    ``namespace`` is where new objects go (the selected object's, else the session's current namespace).
    """

    kind: str
    obj: dict[str, Any] | None
    session: Any  # kubetui.session.ClusterSession (Any: avoids an import cycle)
    namespace: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(((self.obj or {}).get("metadata") or {}).get("name") or "")


Handler = Callable[[Any, Target], Awaitable[None]]
_HANDLERS: dict[str, Handler] = {}
_HANDLER_MODULES: list[str] = []  # registered on import, loaded when a handler is first asked for


def handlers_in(*modules: str) -> None:
    """Modules whose import registers handlers. They are imported when a handler is first asked for, or by
    ``load_handlers``: the dialogs they bring are not needed to show the first screen."""
    _HANDLER_MODULES.extend(m for m in modules if m not in _HANDLER_MODULES)


def load_handlers() -> None:
    import importlib

    while _HANDLER_MODULES:
        importlib.import_module(_HANDLER_MODULES.pop(0))


def register_handler(action_id: str, handler: Handler) -> None:
    """Makes ``handler`` do action ``action_id``; a later registration replaces an earlier one."""
    if action_id not in BY_ID:
        raise KeyError(f"unknown action {action_id!r}")
    _HANDLERS[action_id] = handler


def handler_for(action_id: str) -> Handler | None:
    load_handlers()
    return _HANDLERS.get(action_id)


def handler(action_id: str) -> Callable[[Handler], Handler]:
    """Decorator form of ``register_handler``."""

    def wrap(fn: Handler) -> Handler:
        register_handler(action_id, fn)
        return fn

    return wrap

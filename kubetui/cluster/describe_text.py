"""The text machinery of ``kubectl describe``: an elastic-tabstop writer and the shared sections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kubetui.cluster.quantity import parse_quantity
from kubetui.cluster.render_time import human_age, parse_time

Obj = Mapping[str, Any]
MASKED_KEYS = ("token",)


class DescribeWriter:
    """Collects ``\\t``-separated lines and aligns them like Go's tabwriter (padding 2, as kubectl uses).

    A column is aligned over each run of consecutive lines that have a cell in it; a line without tabs ends
    the run, which is why each section of kubectl's output has its own alignment.
    """

    def __init__(self) -> None:
        self._lines: list[list[str]] = []

    def write(self, level: int, text: str) -> None:
        for line in text.split("\n"):
            self._lines.append(("  " * level + line).split("\t"))

    def line(self, level: int, *cells: Any) -> None:
        self.write(level, "\t".join(str(c) for c in cells))

    def text(self) -> str:
        widths: list[list[int]] = [[0] * max(len(cells) - 1, 0) for cells in self._lines]
        max_cols = max((len(w) for w in widths), default=0)
        for col in range(max_cols):
            start = 0
            while start < len(self._lines):
                if len(widths[start]) <= col:
                    start += 1
                    continue
                end = start
                while end < len(self._lines) and len(widths[end]) > col:
                    end += 1
                width = max(len(self._lines[i][col]) for i in range(start, end)) + 2
                for i in range(start, end):
                    widths[i][col] = width
                start = end
        out = []
        for cells, cell_widths in zip(self._lines, widths, strict=True):
            padded = [cell.ljust(cell_widths[i]) for i, cell in enumerate(cells[:-1])]
            out.append("".join(padded) + cells[-1])
        # kubectl's output ends with a newline; drop the empty cell left by our final split.
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out) + "\n"


def rfc1123z(value: Any) -> str:
    """Go's RFC1123Z layout (``Mon, 02 Jan 2006 15:04:05 -0700``) in UTC, as kubectl prints times."""
    epoch = parse_time(value)
    if epoch is None:
        return "<unknown>"
    return datetime.fromtimestamp(epoch, UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def write_map(w: DescribeWriter, title: str, values: Mapping[str, Any] | None, level: int = 0) -> None:
    """``printLabelsMultiline``: ``key=value`` one per line, sorted, ``<none>`` when empty."""
    if not values:
        w.line(level, f"{title}:", "<none>")
        return
    for i, key in enumerate(sorted(values)):
        w.line(level, f"{title}:" if i == 0 else "", f"{key}={values[key]}")


_MAX_ANNOTATION_LEN = 140


def write_annotations(w: DescribeWriter, values: Mapping[str, Any] | None, level: int = 0) -> None:
    """``printAnnotationsMultiline``: ``key: value`` sorted; long or multi-line values on lines of their own;
    kubectl's last-applied-configuration left out."""
    shown = {
        k: v for k, v in (values or {}).items() if k != "kubectl.kubernetes.io/last-applied-configuration"
    }
    if not shown:
        w.line(level, "Annotations:", "<none>")
        return
    for i, key in enumerate(sorted(shown)):
        title = "Annotations:" if i == 0 else ""
        value = str(shown[key]).removesuffix("\n")
        if len(value) + len(key) + 2 > _MAX_ANNOTATION_LEN or "\n" in value:
            w.line(level, title, f"{key}:")
            for part in value.split("\n"):
                w.line(
                    level,
                    "",
                    part if len(part) <= _MAX_ANNOTATION_LEN - 2 else part[: _MAX_ANNOTATION_LEN - 2] + "...",
                )
        else:
            w.line(level, title, f"{key}: {value}")


def controlled_by(obj: Obj) -> str | None:
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind')}/{ref.get('name')}"
    return None


def port_text(ports: Iterable[Obj], key: str = "containerPort") -> str:
    texts = [f"{p.get(key, 0)}/{p.get('protocol') or 'TCP'}" for p in ports]
    return ", ".join(texts) if texts else "<none>"


def write_container(
    w: DescribeWriter, container: Obj, status: Obj | None, level: int, *, template: bool
) -> None:
    """One container of a pod (with its live status) or of a pod template."""
    # kubectl indents template container names one space deeper than their section title.
    w.write(level, f"{' ' if template else ''}{container.get('name', '')}:")
    inner = level + 1
    if status is not None and not template:
        w.line(inner, "Container ID:", status.get("containerID", ""))
    w.line(inner, "Image:", container.get("image", ""))
    if status is not None and not template:
        w.line(inner, "Image ID:", status.get("imageID", ""))
    ports = container.get("ports") or []
    w.line(inner, "Port:", port_text(ports))
    w.line(inner, "Host Port:", port_text(ports, "hostPort") if ports else "<none>")
    for field, title in (("command", "Command"), ("args", "Args")):
        if container.get(field):
            w.write(inner, f"{title}:")
            for part in container[field]:
                w.write(inner + 1, str(part))
    if status is not None and not template:
        _write_state(w, "State", status.get("state") or {}, inner)
        if status.get("lastState"):
            _write_state(w, "Last State", status.get("lastState") or {}, inner)
        w.line(inner, "Ready:", "True" if status.get("ready") else "False")
        w.line(inner, "Restart Count:", status.get("restartCount", 0))
    resources = container.get("resources") or {}
    for key, title in (("limits", "Limits"), ("requests", "Requests")):
        values = resources.get(key) or {}
        if values:
            w.write(inner, f"{title}:")
        for name in sorted(values):
            w.line(inner + 1, f"{name}:", _quantity(values[name]))
    for key, title in (
        ("livenessProbe", "Liveness"),
        ("readinessProbe", "Readiness"),
        ("startupProbe", "Startup"),
    ):
        if container.get(key):
            w.line(inner, f"{title}:", describe_probe(container[key]))
    env = container.get("env") or []
    if not env:
        w.line(inner, "Environment:", "<none>")
    else:
        w.write(inner, "Environment:")
        for var in env:
            value = var.get("value")
            shown = value if value is not None else "<set from a reference>"
            w.line(inner + 1, f"{var.get('name')}:", shown)
    mounts = container.get("volumeMounts") or []
    if not mounts:
        w.line(inner, "Mounts:", "<none>")
    else:
        w.write(inner, "Mounts:")
        for mount in mounts:
            mode = "ro" if mount.get("readOnly") else "rw"
            w.write(inner + 1, f"{mount.get('mountPath')} from {mount.get('name')} ({mode})")


def _quantity(value: Any) -> str:
    try:
        return str(parse_quantity(value))
    except ValueError:
        return str(value)


def describe_probe(probe: Obj) -> str:
    """kubectl's ``DescribeProbe``: ``http-get http://:8080/healthz delay=0s timeout=1s period=10s ...``."""
    attrs = (
        f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 1)}s "
        f"period={probe.get('periodSeconds', 10)}s #success={probe.get('successThreshold', 1)} "
        f"#failure={probe.get('failureThreshold', 3)}"
    )
    if probe.get("exec"):
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if probe.get("httpGet"):
        get = probe["httpGet"]
        host = get.get("host", "")
        port = str(get.get("port", ""))
        hostport = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
        return (
            f"http-get {str(get.get('scheme') or 'HTTP').lower()}://{hostport}{get.get('path', '')} {attrs}"
        )
    if probe.get("tcpSocket"):
        sock = probe["tcpSocket"]
        return f"tcp-socket {sock.get('host', '')}:{sock.get('port', '')} {attrs}"
    if probe.get("grpc"):
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port')} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _write_state(w: DescribeWriter, title: str, state: Obj, level: int) -> None:
    if state.get("running") is not None:
        w.line(level, f"{title}:", "Running")
        w.line(level + 1, "Started:", rfc1123z(state["running"].get("startedAt")))
    elif state.get("waiting") is not None:
        w.line(level, f"{title}:", "Waiting")
        w.line(level + 1, "Reason:", state["waiting"].get("reason", ""))
    elif state.get("terminated") is not None:
        term = state["terminated"]
        w.line(level, f"{title}:", "Terminated")
        w.line(level + 1, "Reason:", term.get("reason", ""))
        if term.get("message"):
            w.line(level + 1, "Message:", term["message"])
        w.line(level + 1, "Exit Code:", term.get("exitCode", 0))
        if term.get("signal"):
            w.line(level + 1, "Signal:", term["signal"])
        w.line(level + 1, "Started:", rfc1123z(term.get("startedAt")))
        w.line(level + 1, "Finished:", rfc1123z(term.get("finishedAt")))
    else:
        w.line(level, f"{title}:", "Waiting")


def write_pod_template(w: DescribeWriter, template: Obj, level: int = 0) -> None:
    """The ``Pod Template:`` section of Deployments and ReplicaSets."""
    w.write(level, "Pod Template:")
    inner = level + 1
    write_map(w, "Labels", (template.get("metadata") or {}).get("labels"), inner)
    annotations = (template.get("metadata") or {}).get("annotations")
    if annotations:
        write_map(w, "Annotations", annotations, inner)
    spec = template.get("spec") or {}
    if spec.get("serviceAccountName"):
        w.line(inner, "Service Account:", spec["serviceAccountName"])
    for field, title in (("initContainers", "Init Containers"), ("containers", "Containers")):
        containers = spec.get(field) or []
        if field == "initContainers" and not containers:
            continue
        w.write(inner, f"{title}:")
        for container in containers:
            write_container(w, container, None, inner, template=True)
    write_volumes(w, spec.get("volumes") or [], inner)
    w.line(inner, "Node-Selectors:", format_node_selector(spec.get("nodeSelector")))
    write_tolerations(w, spec.get("tolerations") or [], inner)
    if spec.get("imagePullSecrets"):
        w.line(inner, "Image Pull Secrets:", ", ".join(s.get("name", "") for s in spec["imagePullSecrets"]))


def write_volumes(w: DescribeWriter, volumes: Sequence[Obj], level: int = 0) -> None:
    """The Volumes section as kubectl describe prints it, with each volume's type and source."""
    if not volumes:
        w.line(level, "Volumes:", "<none>")
        return
    w.write(level, "Volumes:")
    for volume in volumes:
        w.write(level + 1, f"{volume.get('name')}:")
        _write_volume_source(w, volume, level + 2)


def _flag(value: Any) -> str:
    return "true" if value is True else "false"


def _write_volume_source(w: DescribeWriter, volume: Obj, level: int) -> None:
    if "projected" in volume:
        w.line(level, "Type:", "Projected (a volume that contains injected data from multiple sources)")
        for source in (volume.get("projected") or {}).get("sources") or []:
            if "secret" in source:
                w.line(level, "SecretName:", source["secret"].get("name", ""))
                w.line(level, "SecretOptionalName:", _flag(source["secret"].get("optional")))
            elif "downwardAPI" in source:
                w.line(level, "DownwardAPI:", "true")
            elif "configMap" in source:
                w.line(level, "ConfigMapName:", source["configMap"].get("name", ""))
                w.line(level, "Optional:", _flag(source["configMap"].get("optional")))
            elif "serviceAccountToken" in source:
                w.line(
                    level,
                    "TokenExpirationSeconds:",
                    source["serviceAccountToken"].get("expirationSeconds", 3600),
                )
    elif "configMap" in volume:
        w.line(level, "Type:", "ConfigMap (a volume populated by a ConfigMap)")
        w.line(level, "Name:", volume["configMap"].get("name", ""))
        w.line(level, "Optional:", _flag(volume["configMap"].get("optional")))
    elif "secret" in volume:
        w.line(level, "Type:", "Secret (a volume populated by a Secret)")
        w.line(level, "SecretName:", volume["secret"].get("secretName", ""))
        w.line(level, "Optional:", _flag(volume["secret"].get("optional")))
    elif "emptyDir" in volume:
        empty = volume.get("emptyDir") or {}
        w.line(level, "Type:", "EmptyDir (a temporary directory that shares a pod's lifetime)")
        w.line(level, "Medium:", empty.get("medium", ""))
        w.line(level, "SizeLimit:", empty.get("sizeLimit") or "<unset>")
    elif "hostPath" in volume:
        w.line(level, "Type:", "HostPath (bare host directory volume)")
        w.line(level, "Path:", volume["hostPath"].get("path", ""))
        w.line(level, "HostPathType:", volume["hostPath"].get("type", ""))
    elif "persistentVolumeClaim" in volume:
        claim = volume["persistentVolumeClaim"]
        w.line(
            level,
            "Type:",
            "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
        )
        w.line(level, "ClaimName:", claim.get("claimName", ""))
        w.line(level, "ReadOnly:", _flag(claim.get("readOnly")))


def format_node_selector(selector: Mapping[str, str] | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((selector or {}).items())) or "<none>"


def toleration_text(t: Obj) -> str:
    """One toleration as kubectl prints it: ``key=value:Effect op=Exists for 300s``."""
    text = str(t.get("key") or "")
    if t.get("value"):
        text += f"={t['value']}"
    if t.get("effect"):
        text += f":{t['effect']}"
    if t.get("operator") == "Exists" and not t.get("value"):
        text += " op=Exists" if (t.get("key") or t.get("effect")) else "op=Exists"
    if t.get("tolerationSeconds") is not None:
        text += f" for {t['tolerationSeconds']}s"
    return text


def write_tolerations(w: DescribeWriter, tolerations: Sequence[Obj], level: int = 0) -> None:
    if not tolerations:
        w.line(level, "Tolerations:", "<none>")
        return
    for i, toleration in enumerate(tolerations):
        w.line(level, "Tolerations:" if i == 0 else "", toleration_text(toleration))


def write_conditions(w: DescribeWriter, conditions: Sequence[Obj], with_reason: bool) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:")
    if with_reason:
        w.line(1, "Type", "Status", "Reason")
        w.line(1, "----", "------", "------")
        for c in conditions:
            w.line(1, c.get("type", ""), c.get("status", ""), c.get("reason", ""))
    else:
        w.line(1, "Type", "Status")
        for c in conditions:
            # kubectl's format here is "%v \t%v \n": each cell carries a trailing space.
            w.line(1, f"{c.get('type', '')} ", f"{c.get('status', '')} ")


def write_events(w: DescribeWriter, events: Sequence[Obj] | None, now: float) -> None:
    """kubectl's ``DescribeEvents``: Type Reason Age From Message, with ``(x3 over 10m)`` for repeats."""
    if events is None:
        return
    if not events:
        w.line(0, "Events:", "<none>")
        return
    w.write(0, "Events:")
    w.line(1, "Type", "Reason", "Age", "From", "Message")
    w.line(1, "----", "------", "----", "----", "-------")
    for e in events:
        first_raw = e.get("firstTimestamp") or e.get("eventTime")
        first = _since(first_raw, now)
        series = e.get("series")
        if series:
            interval = f"{_since(series.get('lastObservedTime'), now)} (x{series.get('count')} over {first})"
        elif int(e.get("count") or 0) > 1:
            interval = f"{_since(e.get('lastTimestamp'), now)} (x{e['count']} over {first})"
        else:
            interval = first
        source = (e.get("source") or {}).get("component") or e.get("reportingComponent") or ""
        message = str(e.get("message", "")).strip()
        field_path = (e.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.line(1, e.get("type", ""), e.get("reason", ""), interval, source, message)


def _since(value: Any, now: float) -> str:
    epoch = parse_time(value)
    return "<unknown>" if epoch is None else human_age(now - epoch)

"""TrafficPathView: how a request reaches the selected Service's pods, hop by hop, with every IP and port."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from kubetui.cluster.relations import traffic_path


class TrafficPathView(Static):
    """Load balancer ingress:port → each node IP:NodePort → ClusterIP:port → every endpoint podIP:targetPort."""

    DEFAULT_CSS = """
    TrafficPathView { height: auto; max-height: 12; border-top: solid $panel-lighten-2; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis; }
    """

    _shown: Text | None = None

    def show(self, store: Any, service: dict[str, Any] | None) -> None:
        """Redraws only when the path changed, and re-lays out only when its height did: pod events arrive
        many times a second and most do not touch this Service."""
        if service is None:
            if self.display:
                self.display = False
            return
        if not self.display:
            self.display = True
        text = self.describe(store, service)
        old = self._shown
        if old is not None and old.plain == text.plain and old.spans == text.spans:
            return
        self._shown = text
        same_height = old is not None and old.plain.count("\n") == text.plain.count("\n")
        self.update(text, layout=not same_height)

    @staticmethod
    def describe(store: Any, service: dict[str, Any]) -> Text:
        path = traffic_path(store, service)
        return render_path(service, path)


def _endpoint_label(path: Any, ep: Any) -> str:
    """What an endpoint is: a pod by name, another kind by its name, or an address with no object behind it."""
    if ep.target_kind:  # "pod web-1", or another kind by its name
        return f"{ep.target_kind.lower()} {ep.pod}"
    if path.namespace == "default" and path.service == "kubernetes":
        return "API server (no pod: the control plane's own address)"
    return "address (no pod behind it)"


def render_path(service: dict[str, Any], path: Any) -> Text:
    """One block per Service port: every hop with its real address and port."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("Traffic to ", style="dim")
    text.append(f"{path.namespace}/{path.service}", style="bold")
    text.append(f" ({path.type}", style="dim")
    if path.external_name:
        text.append(f" → {path.external_name}", style="dim")
    text.append(f", {path.ready_endpoints} ready pod(s))\n", style="dim")
    for route in path.routes:
        name = f" {route.name}" if route.name else ""
        text.append(f" port{name} {route.port}/{route.protocol}\n", style="bold")
        for hop in route.load_balancers:
            text.append(f"  load balancer {hop.address or '<pending>'}:{hop.port}\n")
        if path.type == "LoadBalancer" and not route.load_balancers:
            text.append("  load balancer <pending>\n")
        for hop in route.nodes:
            text.append(f"  → node {hop.label} {hop.address}:{hop.port}\n")
        if route.cluster_ip is not None:
            text.append(f"  → ClusterIP {route.cluster_ip.address}:{route.cluster_ip.port}\n")
        for ep in route.endpoints:
            port = ep.port if ep.port is not None else f"? ({route.target_port} not found)"
            text.append(f"  → {_endpoint_label(path, ep)} {ep.ip}:{port}")
            if ep.is_pod:
                text.append(f" on {ep.node or '?'}")
            text.append("\n" if ep.ready else " (not ready)\n")
        if not route.endpoints:
            text.append(f"  → no endpoints (targetPort {route.target_port})\n", style="bold")
    text.rstrip()
    return text

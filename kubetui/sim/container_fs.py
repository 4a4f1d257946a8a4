"""What is inside a simulated container: its image's tools and shells, files, environment and processes.

An exec'd shell reads these. ``toolbox`` says what an image ships (agnhost and nginx have bash, busybox only
``sh``, coredns and pause are distroless with no shell at all); ``Container`` builds one container's view from
its pod: ``/etc/hostname`` and ``/etc/hosts`` as the kubelet writes them, ``resolv.conf`` for its namespace,
ConfigMap volumes at their mount paths, the image's own files, and the environment the kubelet sets.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubetui.sim import apps
from kubetui.sim.images import parse_image

if TYPE_CHECKING:
    from kubetui.sim.store import ObjectStore

Obj = dict[str, Any]

_BUSYBOX_TOOLS = frozenset(
    [
        "cat",
        "echo",
        "env",
        "hostname",
        "ls",
        "ps",
        "pwd",
        "wget",
        "sleep",
        "true",
        "false",
        "uname",
        "id",
        "date",
        "head",
        "whoami",
    ]
)
_GNU_TOOLS = frozenset(
    [
        "cat",
        "echo",
        "env",
        "hostname",
        "ls",
        "pwd",
        "sleep",
        "true",
        "false",
        "uname",
        "id",
        "date",
        "head",
        "whoami",
    ]
)

_ALPINE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n'
_DEBIAN = (
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
    'VERSION="12 (bookworm)"\nID=debian\n'
)
_BUSYBOX_OS = 'NAME="BusyBox"\nVERSION_ID=1.37.0\n'

_NGINX_CONF = """user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    sendfile        on;
    keepalive_timeout  65;
    include /etc/nginx/conf.d/*.conf;
}
"""
_NGINX_DEFAULT = """server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }
}
"""
_BOOTCAMP_JS = """var http = require('http');
var requests=0;
var podname= process.env.HOSTNAME;
var startTime;
var host;
var handleRequest = function(request, response) {
  response.setHeader('Content-Type', 'text/plain');
  response.writeHead(200);
  response.write("Hello Kubernetes bootcamp! | Running on: ");
  response.write(host);
  response.end(" | v=1\\n");
  requests++;
}
var www = http.createServer(handleRequest);
www.listen(8080,function () {
    startTime = new Date();;
    host = process.env.HOSTNAME;
    console.log ("Kubernetes Bootcamp App Started At:",startTime, "| Running On: " ,host, "\\n" );
});
"""


@dataclass(frozen=True)
class Toolbox:
    """What an image ships: its shells (first is the one ``sh`` means), its commands and its own files."""

    shells: tuple[str, ...] = ()
    tools: frozenset[str] = frozenset()
    gnu: bool = False  # GNU coreutils and bash wording instead of busybox's
    curl: bool = False
    files: tuple[tuple[str, str], ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    entrypoint: tuple[str, ...] = ()  # what PID 1 runs when the pod gives no command


_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

TOOLBOXES: dict[str, Toolbox] = {
    "registry.k8s.io/e2e-test-images/agnhost": Toolbox(
        ("/bin/sh", "/bin/bash"),
        _BUSYBOX_TOOLS,
        curl=True,
        files=(("/etc/os-release", _ALPINE), ("/agnhost", "\x7fELF")),
        entrypoint=("/agnhost",),
    ),
    "docker.io/library/nginx": Toolbox(
        ("/bin/sh", "/bin/bash"),
        _GNU_TOOLS,
        gnu=True,
        curl=True,
        files=(
            ("/etc/os-release", _DEBIAN),
            ("/etc/nginx/nginx.conf", _NGINX_CONF),
            ("/etc/nginx/conf.d/default.conf", _NGINX_DEFAULT),
            ("/usr/share/nginx/html/index.html", apps.NGINX_WELCOME),
            ("/docker-entrypoint.sh", "#!/bin/sh\n"),
        ),
        env=(("NGINX_VERSION", apps.NGINX_VERSION), ("NJS_VERSION", "0.8.7"), ("PKG_RELEASE", "1~bookworm")),
        entrypoint=("nginx: master process nginx -g daemon off;",),
    ),
    "gcr.io/google-samples/kubernetes-bootcamp": Toolbox(
        ("/bin/sh", "/bin/bash"),
        _GNU_TOOLS | {"ps"},
        gnu=True,
        files=(("/etc/os-release", _DEBIAN), ("/server.js", _BOOTCAMP_JS)),
        env=(("NODE_VERSION", "6.3.1"), ("NPM_CONFIG_LOGLEVEL", "info")),
        entrypoint=("node", "server.js"),
    ),
    "docker.io/library/busybox": Toolbox(
        ("/bin/sh",), _BUSYBOX_TOOLS, files=(("/etc/os-release", _BUSYBOX_OS),), entrypoint=("sh",)
    ),
    "registry.example.com/team/myapp": Toolbox(
        ("/bin/sh",), _BUSYBOX_TOOLS, files=(("/etc/os-release", _ALPINE), ("/app/myapp", "\x7fELF"))
    ),
}
TOOLBOXES["docker.io/jocatalin/kubernetes-bootcamp"] = TOOLBOXES["gcr.io/google-samples/kubernetes-bootcamp"]
_DISTROLESS = Toolbox()  # coredns, pause, hello-world, the test images: no shell, no tools


def toolbox(image: str) -> Toolbox:
    ref = parse_image(image)
    box = TOOLBOXES.get(ref.name, _DISTROLESS)
    if ref.name == "docker.io/library/nginx" and "alpine" in ref.tag:
        return Toolbox(
            ("/bin/sh",), _BUSYBOX_TOOLS, curl=True, files=box.files, env=box.env, entrypoint=box.entrypoint
        )
    return box


@dataclass
class Container:
    """One running container as a shell inside it sees it."""

    pod: Obj
    name: str
    box: Toolbox
    files: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def hostname(self) -> str:
        spec = self.pod.get("spec") or {}
        return str(spec.get("hostname") or self.pod["metadata"]["name"])[:63]

    @property
    def namespace(self) -> str:
        return str(self.pod["metadata"].get("namespace") or "default")

    @property
    def spec(self) -> Obj:
        for c in (self.pod.get("spec") or {}).get("containers") or []:
            if c.get("name") == self.name:
                return dict(c)
        return {}

    def pid1(self) -> str:
        argv = [*(self.spec.get("command") or []), *(self.spec.get("args") or [])]
        if not self.spec.get("command"):
            argv = [*self.box.entrypoint, *argv]
        return " ".join(argv) or "/pause"

    def is_dir(self, path: str) -> bool:
        prefix = path.rstrip("/") + "/"
        return path == "/" or any(p.startswith(prefix) for p in self.files)

    def listdir(self, path: str) -> list[str]:
        prefix = "/" if path == "/" else path.rstrip("/") + "/"
        names = {p[len(prefix) :].split("/", 1)[0] for p in self.files if p.startswith(prefix)}
        return sorted(n for n in names if n and n != ".")


_ROOT_DIRS = ("bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr", "var")


def build(store: ObjectStore, pod: Obj, name: str) -> Container:
    """The container ``name`` of ``pod``: files and environment as they are inside it."""
    box = None
    for c in (pod.get("spec") or {}).get("containers") or []:
        if c.get("name") == name:
            box = toolbox(str(c.get("image") or ""))
    c = Container(pod, name, box or _DISTROLESS)
    status = pod.get("status") or {}
    ns = c.namespace
    files = c.files
    for d in _ROOT_DIRS:
        files[f"/{d}/."] = ""
    files["/etc/hostname"] = c.hostname + "\n"
    files["/etc/hosts"] = (
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
        f"{status.get('podIP') or ''}\t{c.hostname}\n"
    )
    files["/etc/resolv.conf"] = (
        f"search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    )
    sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount"
    files[f"{sa_dir}/namespace"] = ns
    for sh in c.box.shells:
        files[sh] = "\x7fELF"
    for path, text in c.box.files:
        files[path] = text
    _mount_config_maps(store, pod, c)
    c.env = _environment(store, pod, c)
    return c


def _mount_config_maps(store: ObjectStore, pod: Obj, c: Container) -> None:
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or []}
    for mount in c.spec.get("volumeMounts") or []:
        vol = volumes.get(mount.get("name")) or {}
        ref = vol.get("configMap")
        if not ref:
            continue
        cm = store.get("configmaps", c.namespace, str(ref.get("name"))) or {}
        root = str(mount.get("mountPath") or "/").rstrip("/")
        for key, value in (cm.get("data") or {}).items():
            c.files[f"{root}/{key}"] = str(value)
        for key, value in (cm.get("binaryData") or {}).items():
            c.files[f"{root}/{key}"] = base64.b64decode(value).decode("latin-1")


def _service_env(store: ObjectStore, namespace: str) -> dict[str, str]:
    """The ``{SVC}_SERVICE_HOST``-style variables the kubelet sets for every Service of the namespace."""
    env: dict[str, str] = {}
    for svc in store.list("services", namespace):
        spec = svc.get("spec") or {}
        ip = spec.get("clusterIP")
        ports = spec.get("ports") or []
        if not ip or ip == "None" or not ports:
            continue
        prefix = str(svc["metadata"]["name"]).upper().replace("-", "_")
        first = ports[0]
        proto = str(first.get("protocol") or "TCP")
        env[f"{prefix}_SERVICE_HOST"] = str(ip)
        env[f"{prefix}_SERVICE_PORT"] = str(first.get("port"))
        env[f"{prefix}_PORT"] = f"{proto.lower()}://{ip}:{first.get('port')}"
        for p in ports:
            base = f"{prefix}_PORT_{p.get('port')}_{p.get('protocol') or 'TCP'!s}"
            env[base] = f"{str(p.get('protocol') or 'TCP').lower()}://{ip}:{p.get('port')}"
            env[f"{base}_PROTO"] = str(p.get("protocol") or "TCP").lower()
            env[f"{base}_PORT"] = str(p.get("port"))
            env[f"{base}_ADDR"] = str(ip)
    return env


def _field(pod: Obj, path: str) -> str:
    meta, status, spec = pod.get("metadata") or {}, pod.get("status") or {}, pod.get("spec") or {}
    values = {
        "metadata.name": meta.get("name"),
        "metadata.namespace": meta.get("namespace"),
        "metadata.uid": meta.get("uid"),
        "spec.nodeName": spec.get("nodeName"),
        "spec.serviceAccountName": spec.get("serviceAccountName"),
        "status.podIP": status.get("podIP"),
        "status.hostIP": status.get("hostIP"),
    }
    return str(values.get(path) or "")


def _environment(store: ObjectStore, pod: Obj, c: Container) -> dict[str, str]:
    env = {"PATH": _PATH, "HOSTNAME": c.hostname, "HOME": "/root"}
    env.update(dict(c.box.env))
    if (pod.get("spec") or {}).get("enableServiceLinks", True):
        env.update(_service_env(store, c.namespace))
    env.update(
        {
            "KUBERNETES_SERVICE_HOST": "10.96.0.1",
            "KUBERNETES_SERVICE_PORT": "443",
            "KUBERNETES_SERVICE_PORT_HTTPS": "443",
            "KUBERNETES_PORT": "tcp://10.96.0.1:443",
        }
    )
    for source in c.spec.get("envFrom") or []:
        ref = source.get("configMapRef")
        if ref:
            cm = store.get("configmaps", c.namespace, str(ref.get("name"))) or {}
            for key, value in (cm.get("data") or {}).items():
                env[str(source.get("prefix") or "") + key] = str(value)
    for var in c.spec.get("env") or []:
        name = str(var.get("name"))
        if "value" in var:
            env[name] = str(var.get("value") or "")
            continue
        source = var.get("valueFrom") or {}
        if "fieldRef" in source:
            env[name] = _field(pod, str(source["fieldRef"].get("fieldPath")))
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            cm = store.get("configmaps", c.namespace, str(ref.get("name"))) or {}
            value = (cm.get("data") or {}).get(ref.get("key"))
            if value is not None:
                env[name] = str(value)
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            secret = store.get("secrets", c.namespace, str(ref.get("name"))) or {}
            raw = (secret.get("data") or {}).get(ref.get("key"))
            if raw is not None:
                env[name] = base64.b64decode(raw).decode("utf-8", "replace")
    return env

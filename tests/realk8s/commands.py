"""The command lines of the real control plane's components, as pure functions of where things are: the
binaries, the stack's folder (certificates under ``pki/``, kubeconfigs beside them) and its ports."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SERVICE_CIDR = "10.96.0.0/12"
CLUSTER_CIDR = "10.244.0.0/14"
ADVERTISE_ADDRESS = "192.0.2.10"


@dataclass(frozen=True)
class Layout:
    """Where one stack keeps its binaries and files, and the loopback ports it listens on."""

    bin_dir: Path
    workdir: Path
    ports: dict[str, int]

    @property
    def pki(self) -> Path:
        return self.workdir / "pki"

    def binary(self, name: str) -> str:
        return str(self.bin_dir / name)

    def kubeconfig(self, component: str) -> str:
        return str(self.workdir / f"kubeconfig-{component}")


def etcd(at: Layout) -> list[str]:
    client, peer = at.ports["etcd"], at.ports["etcd-peer"]
    return [
        at.binary("etcd"),
        "--name=realk8s",
        f"--data-dir={at.workdir / 'etcd'}",
        f"--listen-client-urls=http://127.0.0.1:{client}",
        f"--advertise-client-urls=http://127.0.0.1:{client}",
        f"--listen-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-cluster=realk8s=http://127.0.0.1:{peer}",
        "--unsafe-no-fsync",  # a test cluster: durability across power loss does not matter here
        "--log-level=warn",
    ]


def apiserver(at: Layout) -> list[str]:
    p = at.pki
    return [
        at.binary("kube-apiserver"),
        f"--etcd-servers=http://127.0.0.1:{at.ports['etcd']}",
        "--bind-address=127.0.0.1",
        # The real API server refuses a loopback address for the "kubernetes" Service's endpoints; it
        # listens on loopback only, so the advertised one is a documentation address (RFC 5737).
        f"--advertise-address={ADVERTISE_ADDRESS}",
        f"--secure-port={at.ports['apiserver']}",
        f"--tls-cert-file={p / 'apiserver.crt'}",
        f"--tls-private-key-file={p / 'apiserver.key'}",
        f"--client-ca-file={p / 'ca.crt'}",
        f"--token-auth-file={p / 'tokens.csv'}",
        "--authorization-mode=Node,RBAC",
        f"--service-account-key-file={p / 'sa.pub'}",
        f"--service-account-signing-key-file={p / 'sa.key'}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-cluster-ip-range={SERVICE_CIDR}",
        "--service-node-port-range=30000-32767",
        "--allow-privileged=true",
        f"--kubelet-client-certificate={p / 'apiserver-kubelet-client.crt'}",
        f"--kubelet-client-key={p / 'apiserver-kubelet-client.key'}",
        "--kubelet-preferred-address-types=InternalIP",
        "--endpoint-reconciler-type=lease",
        # Namespaces bypass the watch cache, so compacting etcd gives their watchers a real 410 Gone, as
        # any watch served by etcd sees (the cache would hide the compaction until it restarts).
        "--watch-cache-sizes=namespaces#0",
        "--v=0",
    ]


def controller_manager(at: Layout) -> list[str]:
    p = at.pki
    kubeconfig = at.kubeconfig("controller-manager")
    return [
        at.binary("kube-controller-manager"),
        f"--kubeconfig={kubeconfig}",
        f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        "--bind-address=127.0.0.1",
        f"--secure-port={at.ports['kcm']}",
        "--leader-elect=false",
        "--use-service-account-credentials=true",
        f"--service-account-private-key-file={p / 'sa.key'}",
        f"--root-ca-file={p / 'ca.crt'}",
        f"--cluster-signing-cert-file={p / 'ca.crt'}",
        f"--cluster-signing-key-file={p / 'ca.key'}",
        f"--service-cluster-ip-range={SERVICE_CIDR}",
        f"--cluster-cidr={CLUSTER_CIDR}",
        "--controllers=*",
        "--v=0",
    ]


def scheduler(at: Layout) -> list[str]:
    kubeconfig = at.kubeconfig("scheduler")
    return [
        at.binary("kube-scheduler"),
        f"--kubeconfig={kubeconfig}",
        f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        "--bind-address=127.0.0.1",
        f"--secure-port={at.ports['sched']}",
        "--leader-elect=false",
        "--v=0",
    ]


def kwok(at: Layout, config: Path) -> list[str]:
    p = at.pki
    return [
        at.binary("kwok"),
        f"--kubeconfig={at.kubeconfig('kwok')}",
        f"--config={config}",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--node-ip=127.0.0.1",
        f"--node-port={at.ports['kwok']}",
        f"--server-address=127.0.0.1:{at.ports['kwok']}",
        f"--tls-cert-file={p / 'kwok-serving.crt'}",
        f"--tls-private-key-file={p / 'kwok-serving.key'}",
        f"--cidr={CLUSTER_CIDR}",
        # Renew each node's Lease: without it kwok only patches node status about once a minute, longer than the
        # controller manager's 50 s grace period, and idle nodes flap NotReady (tainted) for a few seconds.
        "--node-lease-duration-seconds=40",
    ]


def kwok_config(workdir: Path) -> str:
    """kwok's configuration: its stages, and every pod's logs served from one file (kwok has no containers)."""
    log_file = workdir / "container.log"
    log_file.write_text(
        "".join(
            f"2026-01-01T00:00:{i:02d}.000000000Z stdout F line {i} from a kwok container\n"
            for i in range(10)
        )
    )
    docs = list(yaml.safe_load_all((HERE / "kwok-stages.yaml").read_text()))
    docs.append(
        {
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "ClusterLogs",
            "metadata": {"name": "every-pod"},
            "spec": {"logs": [{"logsFile": str(log_file), "follow": True}]},
        }
    )
    # Exec runs the command on this machine (kwok has no containers) with one variable set to tell it apart;
    # port-forward answers every port with one HTTP response from a tiny program.
    docs.append(
        {
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "ClusterExec",
            "metadata": {"name": "every-pod"},
            "spec": {"execs": [{"local": {"workDir": str(workdir), "envs": [KWOK_EXEC_ENV]}}]},
        }
    )
    docs.append(
        {
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "ClusterPortForward",
            "metadata": {"name": "every-pod"},
            "spec": {"forwards": [{"command": [sys.executable, "-c", KWOK_FORWARD_APP]}]},
        }
    )
    return yaml.safe_dump_all(docs, sort_keys=False)


KWOK_EXEC_ENV = {"name": "KWOK_EXEC", "value": "through-kwok"}
KWOK_FORWARD_BODY = "hello through kwok"
# Reads one HTTP request from stdin and answers it on stdout: what a forwarded connection reaches on kwok.
KWOK_FORWARD_APP = (
    "import sys\n"
    "while sys.stdin.buffer.readline() not in (b'\\r\\n', b'\\n', b''): pass\n"
    f"body = {KWOK_FORWARD_BODY!r}.encode()\n"
    "sys.stdout.buffer.write(b'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nConnection: close\\r\\n'"
    " + b'Content-Length: %d\\r\\n\\r\\n' % len(body) + body)\n"
    "sys.stdout.flush()\n"
)

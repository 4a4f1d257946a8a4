"""Local clusters: k3d, kind, minikube and the built-in one; discovery, checks, create/start/stop/delete."""

from __future__ import annotations

from kubetui.providers.base import (
    ClusterInfo,
    ClusterSpec,
    Finding,
    InvalidName,
    NodeInfo,
    Preset,
    Provider,
    validate_cluster_name,
)
from kubetui.providers.process import CommandRun, Run, TaskRun

__all__ = [
    "ClusterInfo",
    "ClusterSpec",
    "CommandRun",
    "Finding",
    "InvalidName",
    "NodeInfo",
    "Preset",
    "Provider",
    "Run",
    "TaskRun",
    "validate_cluster_name",
]

"""Cluster-layer fixtures: twin namespaces on either backend, for operations compared with kubectl's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.backends import Twins


@pytest.fixture
async def twins(backend: Any) -> AsyncIterator[Twins]:
    """``mine`` and ``theirs``: fresh namespaces on the built-in cluster or the real control plane."""
    yield Twins(backend, await backend.namespace("mine"), await backend.namespace("theirs"))

"""Waiting for a condition in the fault tests: in a Pilot-driven app (its loop keeps running between looks), or
in plain asyncio, telling how long it took."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


async def pilot_until(pilot: Any, check: Callable[[], Any], what: str, timeout: float = 90.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if check():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def until(check: Callable[[], Any], what: str, timeout: float) -> float:
    """Seconds until ``check()`` held."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started

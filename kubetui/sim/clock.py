"""Simulated time for the built-in cluster: wall-clock timestamps, delays shortened by ``speed``, seeded randomness."""

from __future__ import annotations

import asyncio
import math
import random
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

# Kubernetes' "safe" alphabet (k8s.io/apimachinery/pkg/util/rand): no vowels, no 0/1/3, so generated names never
# spell words or look ambiguous.
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def rfc3339(t: float) -> str:
    """Seconds precision, as metadata timestamps are."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _whole_second(t: float) -> int:
    """The second ``rfc3339(t)`` prints: ``datetime`` rounds to the microsecond first, so 0.9999996 is 1."""
    second = math.floor(t)
    return second + 1 if round((t - second) * 1_000_000) >= 1_000_000 else second


def rfc3339nano(t: float) -> str:
    """Nanosecond precision, as the kubelet stamps log lines (``kubectl logs --timestamps``)."""
    total = int(t * 1_000_000_000)
    seconds, nanos = divmod(total, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def parse_time(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def safe_encode(text: str) -> str:
    """``rand.SafeEncodeString``: maps every byte onto the safe alphabet (used for pod-template-hash)."""
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in text.encode())


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class Clock:
    """Timestamps are real wall-clock time (so ages printed by kubectl stay right); every *delay* the cluster
    waits (image pulls, start-up, back-off, grace periods) is given in simulated seconds and divided by ``speed``.

    Randomness comes from named streams derived from the seed, so what one controller draws does not shift
    what another gets when tasks interleave differently.
    """

    def __init__(self, speed: float = 1.0, seed: int = 1):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.seed = seed
        self._streams: dict[str, random.Random] = {}
        # The last second stamped and its text: everything stamped within one second shares one string, so
        # thousands of objects (Events above all) do not each keep a copy of the same 20 characters.
        self._stamped: tuple[int, str] = (0, rfc3339(0))

    # -- time ----------------------------------------------------------------------------------------------

    def now(self) -> float:
        return time.time()

    def stamp(self, t: float | None = None) -> str:
        second = _whole_second(self.now() if t is None else t)
        if second != self._stamped[0]:
            self._stamped = (second, rfc3339(second))
        return self._stamped[1]

    def stamp_nano(self, t: float | None = None) -> str:
        return rfc3339nano(self.now() if t is None else t)

    def wall(self, sim_seconds: float) -> float:
        """How many real seconds a simulated delay takes."""
        return max(0.0, sim_seconds) / self.speed

    def sim_elapsed(self, since: float, until: float | None = None) -> float:
        """Simulated seconds between two wall-clock instants."""
        return ((self.now() if until is None else until) - since) * self.speed

    async def sleep(self, sim_seconds: float) -> None:
        await asyncio.sleep(self.wall(sim_seconds))

    def call_later(self, sim_seconds: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        return asyncio.get_running_loop().call_later(self.wall(sim_seconds), callback)

    # -- randomness ----------------------------------------------------------------------------------------

    def rng(self, stream: str) -> random.Random:
        """A random stream of its own for ``stream`` (e.g. "pod-names"), seeded from the cluster seed."""
        r = self._streams.get(stream)
        if r is None:
            r = self._streams[stream] = random.Random(zlib.crc32(f"{self.seed}:{stream}".encode()))
        return r

    def forget(self, *streams: str) -> None:
        """Drops the named streams once what they were for is gone (a pod's, a ReplicaSet's); one used again
        starts over from the seed."""
        for stream in streams:
            self._streams.pop(stream, None)

    def suffix(self, stream: str, n: int = 5) -> str:
        """A ``generateName``-style suffix such as ``x7k2p``."""
        r = self.rng(stream)
        return "".join(r.choice(SAFE_ALPHABET) for _ in range(n))

    def jitter(self, stream: str, base: float, spread: float = 0.2) -> float:
        """``base`` seconds give or take ``spread`` of it, so pods of one ReplicaSet don't move in lockstep."""
        return base * (1.0 + self.rng(stream).uniform(-spread, spread))

"""Objects kept small in the store: the same short strings, and the same parts, shared between objects.

A cluster repeats itself. Every pod of a Deployment carries the same labels, owner reference, tolerations,
service-account volume sources and security context; every pod on a node the same host IP; many conditions
differ from the next pod's only in nothing at all. Decoded from JSON each is a tree of its own, and 100,000
pods then cost about 9 KB each, most of it in small dicts and lists.

``Compactor.compact`` walks an object once as it arrives, top-down: every dict or list below the object's
top-level sections that equals one seen recently is replaced by that one, without walking into it; in the parts
not seen before, short strings are interned (``sys.intern``). Equal means the same JSON text (``true``, ``1`` and
``1.0`` stay apart), or for a big part the same 128-bit digest of it. With about 9 KB a pod decoded, the pods of
the built-in cluster come to about 3 KB each, and the walk costs no more than interning alone did.

The parts are then shared between objects, so **objects in the store are read-only**: code that wants to change
one copies it first (every mutation path already builds a new body or deep-copies).

What is remembered is bounded: two generations of at most ``limit`` parts each. A part found in the older one
moves to the newer, so the parts every object repeats stay, while the parts unique to one object (a pod's own
IPs, its volume names) age out instead of growing a table beside the store.
"""

from __future__ import annotations

import sys
from hashlib import blake2b as _blake2b
from typing import Any

import orjson

SHORT = 64  # strings up to this length are shared; longer ones (messages, certificates) rarely repeat
DIGEST_OVER = 48  # bytes of JSON text beyond which a part's key is a 128-bit digest of the text

_intern = sys.intern
_dumps = orjson.dumps


class Compactor:
    """Shares short strings and recently seen equal sub-trees between the objects it is given."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._young: dict[bytes, Any] = {}
        self._old: dict[bytes, Any] = {}

    def forget(self) -> None:
        """Drops the remembered parts (objects holding them keep them); a heap measurement empties this bounded
        memory first so that it counts only what grows without bound."""
        self._young, self._old = {}, {}

    def compact(self, obj: dict[str, Any]) -> dict[str, Any]:
        """``obj`` itself, its strings interned and its parts shared (it was just decoded: nothing else holds
        it yet). Its top-level sections (``metadata``, ``spec``, ``status``) stay its own, as they hold its
        name and uid and never repeat."""
        for key, value in obj.items():
            kind = type(value)
            if kind is str:
                if len(value) <= SHORT:
                    obj[key] = _intern(value)
            elif kind is dict:
                for k, v in value.items():
                    if type(v) is dict or type(v) is list:
                        value[k] = self._share(v)
                    elif type(v) is str and len(v) <= SHORT:
                        value[k] = _intern(v)
            elif kind is list:
                value[:] = [self._share(v) if type(v) is dict or type(v) is list else v for v in value]
        return obj

    def _share(self, value: Any) -> Any:
        """``value`` (a dict or list) with its parts shared, or the remembered equal one.

        A part seen before is replaced whole without walking into it, which is most parts of most objects.
        Its key is its JSON text, written in C."""
        try:
            key = _dumps(value)
        except TypeError:  # not JSON (an integer beyond 64 bits): kept as it is
            return value
        if len(key) > DIGEST_OVER:  # a big part is remembered by a digest of its text, not the text
            key = _blake2b(key, digest_size=16).digest()
        found = self._young.get(key)
        if found is None:
            found = self._old.get(key)
            if found is None:
                found = value
                share = self._share
                for k, v in value.items() if type(value) is dict else enumerate(value):
                    kind = type(v)
                    if kind is str:
                        if len(v) <= SHORT:
                            value[k] = _intern(v)
                    elif kind is dict or kind is list:
                        value[k] = share(v)
            if len(self._young) >= self.limit:
                self._old, self._young = self._young, {}
            # Kept as an exact-size copy: orjson hands back its whole growth buffer (4 KiB for a short text),
            # which as a remembered key would cost 4 KiB a part.
            self._young[bytes(memoryview(key))] = found
        return found


_default = Compactor()


def compact(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` compacted by the process-wide ``Compactor`` (one per process shares the most)."""
    return _default.compact(obj)

"""Objects kept small in the store: the same short strings shared.

A cluster repeats itself: every pod of a Deployment carries the same image, labels, node names, condition
types and ``"True"``. Decoded from JSON, each is a string of its own; 100,000 pods then cost about 9 KB each.
Interning the short strings (``sys.intern``, so a string no object uses any more is freed) brings that to about
6 KB, at the price of one walk over each object as it arrives.
"""

from __future__ import annotations

import sys
from typing import Any

SHORT = 64  # strings up to this length are shared; longer ones (messages, certificates) rarely repeat

_intern = sys.intern


def compact(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` itself, with its short strings shared (it was just decoded, so nothing else holds it yet)."""
    _walk(obj)
    return obj


def _walk(node: dict[str, Any] | list[Any]) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        kind = type(value)
        if kind is str:
            if len(value) <= SHORT:
                node[key] = _intern(value)  # type: ignore[index]
        elif kind is dict or kind is list:
            _walk(value)

"""aiohttp, imported with the trust store of its two default TLS contexts loaded on a thread.

aiohttp builds two default contexts when it is imported, loading the system's trust store twice: about 110 ms,
most of its import, on the way to kubetui's first screen. Imported through this module (kubernetes_asyncio's
client imports it too, so ``k8s_client`` imports this first), the contexts are built with that loading held
back and then loaded on a thread: OpenSSL reads the files without holding the interpreter's lock, so start-up
goes on beside it. kubetui's connections do not use those two contexts (an https API server gets its own, see
``http_session``); aiohttp uses them only for other TLS it is sent to.
"""

from __future__ import annotations

import ssl
import sys
import threading


def _load_trust_store(contexts: list[ssl.SSLContext]) -> None:
    for context in contexts:
        context.set_default_verify_paths()


trust_store_loader: threading.Thread | None = None  # None when aiohttp was imported before this module


def _import_aiohttp() -> None:
    global trust_store_loader
    if "aiohttp" in sys.modules:
        return
    held: list[ssl.SSLContext] = []

    def hold(context: ssl.SSLContext) -> None:
        held.append(context)

    ssl.SSLContext.set_default_verify_paths = hold  # type: ignore[method-assign,assignment]
    try:
        import aiohttp  # noqa: F401
    finally:
        del ssl.SSLContext.set_default_verify_paths  # the inherited method again
    if held:
        trust_store_loader = threading.Thread(
            target=_load_trust_store, args=(held,), name="trust-store", daemon=True
        )
        trust_store_loader.start()


_import_aiohttp()

import aiohttp  # noqa: E402

__all__ = ["aiohttp"]

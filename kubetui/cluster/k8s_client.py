"""The parts of kubernetes_asyncio that ``Connection`` uses, imported without the generated API.

kubernetes_asyncio's package ``__init__`` files import every generated API class and model, and its dynamic,
stream and watch helpers: about a thousand modules, 0.3–0.5 s of every start-up, for classes kubetui never uses
(it speaks raw JSON). Credentials come from ``KubeConfigLoader``, which lives in a plain module (the HTTP session
is kubetui's own, see ``http_session``). So the three heavy packages are entered without running their ``__init__``; each runs it
the first time anything is asked of it, so ``kubernetes_asyncio.client.CoreV1Api`` and the models still work
for any code that wants them, only later. urllib3, which the client's configuration imports and never uses, is
entered the same way.

If kubernetes_asyncio was imported before this module, nothing is changed.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import kubetui.cluster.aio  # noqa: F401  (aiohttp first: kubernetes_asyncio's client imports it)

LEAN_PACKAGES = ("kubernetes_asyncio", "kubernetes_asyncio.client", "kubernetes_asyncio.client.models")
# The client's Configuration module imports urllib3 (about 30 ms) and never uses it: kubetui's HTTP is aiohttp.
LEAN_TOO = ("urllib3",)
# Dunder names are looked up by tools that merely probe a module (``__wrapped__``, ``__file__``); these few are
# real questions about its contents, so they load it.
LOADING_DUNDERS = ("__version__", "__all__")


def _enter_lean(name: str) -> None:
    """Puts package ``name`` in ``sys.modules`` with its submodules importable and its ``__init__`` not yet run;
    the first attribute it lacks runs the ``__init__``."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not an installed package")
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    loading = False

    def __getattr__(attr: str) -> Any:  # the module-level hook of PEP 562
        nonlocal loading
        if loading or (attr.startswith("__") and attr not in LOADING_DUNDERS):
            raise AttributeError(f"module {name!r} has no attribute {attr!r}")
        if importlib.util.find_spec(f"{name}.{attr}") is not None:
            # ``from package import submodule`` asks the package first: a submodule needs no __init__
            return importlib.import_module(f"{name}.{attr}")
        loading = True
        del module.__dict__["__getattr__"]
        loader.exec_module(module)
        return getattr(module, attr)

    module.__dict__["__getattr__"] = __getattr__
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # what the import system does for a submodule


if "kubernetes_asyncio" not in sys.modules:
    for _name in LEAN_PACKAGES:
        _enter_lean(_name)
    for _name in LEAN_TOO:
        if _name not in sys.modules and importlib.util.find_spec(_name) is not None:
            _enter_lean(_name)
    from kubernetes_asyncio.client import api_client as _api_client
    from kubernetes_asyncio.client import configuration as _configuration

    # What kube_config takes by name from the client package (its __init__ would bind these same objects).
    sys.modules["kubernetes_asyncio.client"].ApiClient = _api_client.ApiClient  # type: ignore[attr-defined]
    sys.modules["kubernetes_asyncio.client"].Configuration = _configuration.Configuration  # type: ignore[attr-defined]

from kubernetes_asyncio.client.api_client import ApiClient  # noqa: E402
from kubernetes_asyncio.client.configuration import Configuration  # noqa: E402
from kubernetes_asyncio.config import kube_config  # noqa: E402
from kubernetes_asyncio.config.config_exception import ConfigException  # noqa: E402
from kubernetes_asyncio.config.exec_provider import ExecProvider  # noqa: E402
from kubernetes_asyncio.config.kube_config import KubeConfigLoader  # noqa: E402

__all__ = ["ApiClient", "ConfigException", "Configuration", "ExecProvider", "KubeConfigLoader", "kube_config"]

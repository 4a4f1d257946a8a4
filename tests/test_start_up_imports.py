"""What start-up imports: kubernetes_asyncio without its generated API, and the action handlers only when asked
for. Both load in full later for whoever needs them."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import sys
    import kubetui.cluster.connection, kubetui.cluster.k8s_client
    loaded = sorted(m for m in sys.modules if m.startswith("kubernetes_asyncio"))
    print(len(loaded))
    print(int("kubernetes_asyncio.client.api.core_v1_api" in sys.modules))
    print(int("kubernetes_asyncio.client.models.v1_pod" in sys.modules))
    import kubernetes_asyncio
    from kubernetes_asyncio import client, config, watch
    from kubernetes_asyncio.client.api.core_v1_api import CoreV1Api
    from kubernetes_asyncio.client.models.v1_pod import V1Pod
    print(int(client.CoreV1Api is CoreV1Api and client.models.V1Pod is V1Pod and client.V1Pod is V1Pod))
    print(int(kubernetes_asyncio.client is client and callable(config.load_kube_config)))
    print(int(watch.Watch is kubernetes_asyncio.watch.Watch))
    print(int(client.ApiClient is kubetui.cluster.k8s_client.ApiClient))
    print(int("urllib3.connectionpool" in sys.modules))
    import urllib3
    from urllib3 import PoolManager
    print(int(urllib3.PoolManager is PoolManager and bool(urllib3.__version__)))
    """
)


def test_start_up_skips_the_generated_api_and_later_imports_still_get_it() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    count, api, model, same_classes, packages, watch, client, urllib3_early, urllib3_later = (
        int(v) for v in out.stdout.split()
    )
    assert count < 40, f"{count} kubernetes_asyncio modules at start-up: the generated API was imported"
    assert (api, model) == (0, 0)
    assert same_classes == packages == watch == client == 1
    assert urllib3_early == 0, "urllib3 was loaded at start-up"
    assert urllib3_later == 1


def test_a_full_import_first_is_left_alone() -> None:
    probe = "import kubernetes_asyncio.client, kubetui.cluster.connection, kubetui.cluster.k8s_client as c; print(int(c.ApiClient is kubernetes_asyncio.client.ApiClient))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1"]


HANDLERS_PROBE = textwrap.dedent(
    """
    import sys
    import kubetui.app
    from kubetui import actions
    kubetui.app._register_handlers()
    print(int(any(m in sys.modules for m in kubetui.app.HANDLER_MODULES)))
    print(int(actions.handler_for("scale") is not None and actions.handler_for("describe") is not None))
    print(int(all(m in sys.modules for m in kubetui.app.HANDLER_MODULES)))
    """
)


def test_action_handlers_load_when_first_asked_for_not_at_start_up() -> None:
    out = subprocess.run([sys.executable, "-c", HANDLERS_PROBE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "1", "1"]


def test_the_pull_failure_checks_of_every_selection_do_not_load_the_dialogs() -> None:
    """The footer and the explorer ask on every selection whether a Deployment's pods cannot pull; the
    first screen must not wait for the dialogs package to answer that."""
    probe = textwrap.dedent(
        """
        import sys
        import kubetui.screens.main, kubetui.screens.selection
        from kubetui.screens.pull_failures import deployment_to_fix, offer_pull_secret, pull_failure
        print(int(any(m.startswith("kubetui.screens.dialogs") for m in sys.modules)))
        from kubetui.screens.dialogs.registry_flow import pull_failure as same
        print(int(same is pull_failure))
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "1"]


AIOHTTP_PROBE = textwrap.dedent(
    """
    import ssl, sys, time
    import kubetui.app, kubetui.cluster.connection
    from kubetui.cluster import aio
    import aiohttp.connector as connector
    print(int(aio.trust_store_loader is not None))
    print(int("set_default_verify_paths" not in vars(ssl.SSLContext)))
    aio.trust_store_loader.join(30)
    loaded = connector._SSL_CONTEXT_VERIFIED.cert_store_stats()
    print(int(loaded == ssl.create_default_context().cert_store_stats()))
    print(int(connector._SSL_CONTEXT_UNVERIFIED.cert_store_stats() == loaded))
    """
)


def test_aiohttp_loads_its_trust_store_on_a_thread_and_ends_up_with_all_of_it() -> None:
    out = subprocess.run([sys.executable, "-c", AIOHTTP_PROBE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1", "1", "1"]
    probe = "import aiohttp, kubetui.cluster.connection as c, kubetui.cluster.aio as a; print(int(a.trust_store_loader is None))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1"]

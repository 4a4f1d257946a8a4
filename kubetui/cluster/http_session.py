"""The HTTP session of a ``Connection``: TLS as the kubeconfig's ``Configuration`` describes it.

A plain-HTTP server (the built-in cluster, a local proxy) needs no TLS context of its own. Building one loads
the system's trust store, about 60 ms of every start, so it is built only for an ``https`` server. A plain-HTTP
session still verifies, with aiohttp's default context, anything it may be sent to over TLS.
"""

from __future__ import annotations

import ssl
from typing import Any

from kubetui.cluster.aio import aiohttp

# A watch event is one whole object, and objects can be large (etcd accepts requests up to 1.5 MiB).
READ_BUFFER = 2**21


def tls_context(configuration: Any) -> ssl.SSLContext:
    """The context for an ``https`` server: its CA (or the system's), the client certificate, and the
    kubeconfig's ``insecure-skip-tls-verify``."""
    ca = configuration.ssl_ca_cert
    context = ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, keyfile=configuration.key_file)
    if not configuration.verify_ssl:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if configuration.disable_strict_ssl_verification:
        context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    return context


def client_session(configuration: Any, server: str) -> aiohttp.ClientSession:
    """A session for ``server``; ``trust_env`` so that HTTPS_PROXY and NO_PROXY apply as they do for kubectl."""
    secure = server.lower().startswith("https:")
    connector = aiohttp.TCPConnector(
        limit=configuration.connection_pool_maxsize,
        ssl=tls_context(configuration) if secure else True,
    )
    return aiohttp.ClientSession(connector=connector, trust_env=True, read_bufsize=READ_BUFFER)

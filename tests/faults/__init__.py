"""The fault-injection suite: the built-in cluster killed, stopped and wiped (``served.py`` runs it as its own
process), a hostile server on loopback (``hostile.py``), broken kubeconfigs, absurd input, a recording proxy
in front of a read-only session (``recording_proxy.py``), secrets on screen and on disk. Each case asserts
what the person sees, that nothing is lost, and how long kubetui took to be live again; longer runs of the
same faults are ``python3 dev.py bench faults`` and ``python3 dev.py bench soak``."""

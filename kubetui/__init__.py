"""kubetui: a full-screen terminal app for exploring and operating Kubernetes clusters."""

__version__ = "0.1.0"

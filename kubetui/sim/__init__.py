"""The built-in cluster: a Kubernetes API server and its controllers, in-process or as ``kubetui sim serve``."""

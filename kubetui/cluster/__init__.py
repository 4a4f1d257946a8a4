"""The cluster layer: kubeconfig, connection, watchers, live store, rows and operations (no UI imports)."""

"""The built-in cluster's controllers: each reacts to store changes through its own work queue."""

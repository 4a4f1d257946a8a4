"""Reusable Textual widgets of kubetui."""

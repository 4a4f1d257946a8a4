"""The screens of kubetui: the main explorer, full-screen lists, describe, YAML, help and pickers."""

"""Field checks the dialogs run before anything is sent: DNS names, numbers, ports, commands."""

from __future__ import annotations

import shlex

from kubetui.cluster.ops import validate_name
from kubetui.imageref import reference_error


class FieldError(ValueError):
    """A field's value was refused; ``field`` is the id of the input that holds it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_name(field: str, name: str, *, kind: str = "Deployment") -> str:
    """``name`` stripped, or FieldError with the API server's wording for ``kind``."""
    name = name.strip()
    # The same rules and wording as the API server (Services are DNS-1035 labels, the rest subdomains).
    error = validate_name(name, "dns1035" if kind == "Service" else "subdomain")
    if error:
        raise FieldError(field, f"Invalid value {name!r}: {error}" if name else error)
    return name


def parse_int(field: str, text: str, *, minimum: int = 0, maximum: int | None = None, what: str) -> int:
    """``text`` as a whole number within bounds, or FieldError naming ``what`` was wrong."""
    text = text.strip()
    try:
        value = int(text)
    except ValueError:
        raise FieldError(field, f"{what} must be a whole number, not {text!r}") from None
    if value < minimum:
        raise FieldError(field, f"{what} must be {minimum} or more, not {value}")
    if maximum is not None and value > maximum:
        raise FieldError(field, f"{what} must be {maximum} or less, not {value}")
    return value


def parse_port(field: str, text: str, *, what: str, required: bool = True) -> int | None:
    """``text`` as a TCP port (1-65535); empty gives None when not required."""
    if not text.strip():
        if required:
            raise FieldError(field, f"{what} is required")
        return None
    return parse_int(field, text, minimum=1, maximum=65535, what=what)


def parse_command(field: str, text: str) -> list[str] | None:
    """A shell-like command line split into argv (quotes respected), or None when empty."""
    try:
        argv = shlex.split(text)
    except ValueError as err:
        raise FieldError(field, f"command: {err}") from None
    return argv or None


def check_image(field: str, image: str) -> str:
    """An image reference the kubelet can parse, or FieldError with why not (it would be InvalidImageName)."""
    image = image.strip()
    if not image:
        raise FieldError(field, "an image is required")
    error = reference_error(image)
    if error:
        raise FieldError(
            field,
            f"{image!r}: {error}; its pods would be stuck in InvalidImageName (e.g. nginx:1.27, "
            "registry.example.com/team/app:001)",
        )
    return image

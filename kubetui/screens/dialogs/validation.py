"""Field checks the dialogs run before anything is sent: DNS names, numbers, ports, commands."""

from __future__ import annotations

import re
import shlex

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


class FieldError(ValueError):
    """A field's value was refused; ``field`` is the id of the input that holds it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def subdomain_error(name: str) -> str | None:
    """The API server's complaint about ``name`` as a DNS-1123 subdomain (Deployments, Secrets), or None."""
    if not name:
        return "a name is required"
    if len(name) > 253:
        return "must be no more than 253 characters"
    if not _DNS1123_SUBDOMAIN.match(name):
        return (
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character (e.g. 'example.com')"
        )
    return None


def label_error(name: str) -> str | None:
    """The complaint about ``name`` as a DNS-1123 label (container names), or None."""
    if not name:
        return "a name is required"
    if len(name) > 63:
        return "must be no more than 63 characters"
    if not _DNS1123_LABEL.match(name):
        return (
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
            "and must start and end with an alphanumeric character (e.g. 'my-name')"
        )
    return None


def service_name_error(name: str) -> str | None:
    """The complaint about ``name`` as a DNS-1035 label, which Service names must be, or None."""
    if not name:
        return "a name is required"
    if len(name) > 63:
        return "must be no more than 63 characters"
    if not _DNS1035_LABEL.match(name):
        return (
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
            "alphabetic character, and end with an alphanumeric character (e.g. 'my-name')"
        )
    return None


def check_name(field: str, name: str, *, kind: str = "Deployment") -> str:
    """``name`` stripped, or FieldError with the API server's wording for ``kind``."""
    name = name.strip()
    error = service_name_error(name) if kind == "Service" else subdomain_error(name)
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
    """An image reference without whitespace, or FieldError."""
    image = image.strip()
    if not image:
        raise FieldError(field, "an image is required")
    if any(ch.isspace() for ch in image):
        raise FieldError(field, f"image {image!r} must not contain spaces")
    return image

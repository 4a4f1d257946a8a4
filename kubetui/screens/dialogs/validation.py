"""Field checks the dialogs run before anything is sent: DNS names, numbers, ports, commands."""

from __future__ import annotations

import re
import shlex

from kubetui import kinds
from kubetui.cluster.ops import validate_name
from kubetui.imageref import reference_error

_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
# Replica counts are int32 in the API: anything larger is refused by the server, so refuse it here first.
MAX_REPLICAS = 2**31 - 1


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
    what = kinds.lookup(kind)
    error = validate_name(name, what.name_rule if what is not None else "subdomain")
    if error:
        raise FieldError(field, f"Invalid value {name!r}: {error}" if name else error)
    return name


def parse_int(field: str, text: str, *, minimum: int = 0, maximum: int | None = None, what: str) -> int:
    """``text`` as a whole number within bounds, or FieldError naming ``what`` was wrong."""
    text = text.strip()
    # ASCII digits only: Python's int() also takes "1_000" and other scripts' digits, which the API would not.
    if not _WHOLE.fullmatch(text):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise FieldError(field, f"{what} must be a whole number, not {shown!r}")
    if len(text.lstrip("+-")) > 19:  # beyond any limit here, and int() refuses over 4,300 digits
        raise FieldError(field, f"{what} must be {maximum if maximum is not None else 'smaller'} or less")
    value = int(text)
    if value < minimum:
        raise FieldError(field, f"{what} must be {minimum} or more, not {value}")
    if maximum is not None and value > maximum:
        raise FieldError(field, f"{what} must be {maximum} or less, not {value}")
    return value


def parse_replicas(field: str, text: str) -> int:
    """A replica count: a whole number from 0 to the API's int32 limit."""
    try:
        return parse_int(field, text, maximum=MAX_REPLICAS, what="replicas")
    except FieldError as err:
        if "or less" in err.message:
            raise FieldError(field, f"{err.message} (the API's limit, int32)") from None
        raise


def far_above(current: int, wanted: int) -> bool:
    """A scale worth a second look: more than 10 times the current size, or past 1,000 pods."""
    if wanted <= current:
        return False
    return wanted > 10 * max(current, 1) or (wanted > 1000 >= current)


def scale_warning(kind: str, name: str, current: int, wanted: int) -> str:
    """What scaling ``name`` from ``current`` to ``wanted`` asks of the cluster, in plain words."""
    more = wanted - current
    return (
        f"Scale {kind} {name} from {current:,} to {wanted:,} replicas?\n"
        f"That asks the cluster to start {more:,} more pod{'s' if more != 1 else ''}. Each one needs CPU and "
        "memory on a node; pods that do not fit stay Pending, and a small cluster can stop answering while "
        "it tries."
    )


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

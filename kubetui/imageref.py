"""Container image references checked by the grammar container runtimes use (distribution/reference).

The API server accepts any image string; the kubelet parses it before pulling and reports InvalidImageName
when it cannot. The dialogs check the same grammar so a typo is refused before anything is sent.
"""

from __future__ import annotations

import re

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(rf"(?P<name>{_NAME})(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?")
NAME_TOTAL_LENGTH_MAX = 255


def reference_error(image: str) -> str | None:
    """Why ``image`` is not a valid reference, in the runtime's words, or None when it is one."""
    if not image:
        return "invalid reference format: an image is required"
    match = REFERENCE.fullmatch(image)
    if match is None:
        if image != image.lower() and REFERENCE.fullmatch(_lower_path(image)):
            return f"invalid reference format: repository name ({_path(image)}) must be lowercase"
        return "invalid reference format"
    if len(match["name"]) > NAME_TOTAL_LENGTH_MAX:
        return f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"
    return None


def kubelet_message(image: str) -> str | None:
    """The kubelet's InvalidImageName message for ``image``, or None when it parses."""
    error = reference_error(image)
    if error is None:
        return None
    return f'Failed to apply default image tag "{image}": couldn\'t parse image name "{image}": {error}'


def _split_domain(image: str) -> tuple[str, str]:
    first, sep, rest = image.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        return first + "/", rest
    return "", image


def _path(image: str) -> str:
    _domain, path = _split_domain(image.split("@", 1)[0])
    path = re.sub(r":[^/]*$", "", path)
    return path if "/" in path else f"library/{path}"


def _lower_path(image: str) -> str:
    domain, path = _split_domain(image)
    name, sep, rest = path.partition(":")
    return domain + name.lower() + sep + rest

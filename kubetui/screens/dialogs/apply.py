"""Apply-manifest dialogs (``a``): pick a file, then review each document's dry-run result before applying."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml
from textual import on
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, OptionList
from textual.widgets.option_list import Option

from kubetui.screens.dialogs.base import FormDialog, field
from kubetui.screens.dialogs.requests import ManifestChoice
from kubetui.screens.dialogs.validation import FieldError
from kubetui.widgets.line_input import LineInput

# A manifest larger than this is almost certainly not one (a log, a binary); refuse before reading it all.
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def manifest_files(directories: Sequence[Path]) -> list[Path]:
    """The YAML/JSON files directly inside each directory that hold Kubernetes objects, in order, each once.

    A kubeconfig or the built-in cluster's state.json is YAML/JSON too, but never offered: applying them
    makes no sense and they hold credentials.
    """
    seen: set[Path] = set()
    found: list[Path] = []
    for directory in directories:
        try:
            entries = sorted(directory.iterdir())
        except OSError:
            continue
        for path in entries:
            resolved = path.resolve()
            if path.suffix in MANIFEST_SUFFIXES and path.is_file() and resolved not in seen:
                seen.add(resolved)
                if _holds_objects(path):
                    found.append(path)
    return found


def _holds_objects(path: Path) -> bool:
    """Cheap enough for a folder listing: JSON parsed whole (orjson), YAML only up to its first document."""
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return False
        if path.suffix == ".json":
            first = orjson.loads(path.read_bytes())
        else:
            with path.open(encoding="utf-8") as fh:
                first = next(iter(yaml.load_all(fh, Loader=_LOADER)), None)
    except (OSError, ValueError, yaml.YAMLError):
        return False
    if not isinstance(first, dict) or not first.get("kind") or not first.get("apiVersion"):
        return False
    # kind: Config is a kubeconfig (clientcmd's apiVersion v1), not an object the API server stores.
    return not (first.get("kind") == "Config" and first.get("apiVersion") == "v1")


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_manifest(path: Path) -> str:
    """The text of a manifest file; raises FieldError with the reason it cannot be used."""
    path = path.expanduser()
    if path.is_dir():
        raise FieldError("path", f"{path}: is a directory; choose one manifest file in it")
    if not path.is_file():
        raise FieldError("path", f"{path}: no such file")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise FieldError("path", f"{path}: larger than 4 MiB, not a manifest")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise FieldError("path", f"{path}: {err}") from None
    documents_of(text, source=path.name)
    return text


def read_manifests(path: Path) -> str:
    """A file's manifest text, or for a directory every manifest file in it, in name order, as one text.

    As ``kubectl apply -f DIR``: the directory's own .yaml, .yml and .json files, not its subdirectories.
    """
    path = path.expanduser()
    if not path.is_dir():
        return read_manifest(path)
    files = sorted(p for p in path.iterdir() if p.suffix in MANIFEST_SUFFIXES and p.is_file())
    if not files:
        raise FieldError("path", f"{path}: no .yaml, .yml or .json files in this directory")
    return "\n---\n".join(read_manifest(p) for p in files)


def yaml_problem(err: yaml.YAMLError, text: str, source: str = "") -> str:
    """The parser's whole message at the place it failed, with that line of the file quoted.

    PyYAML's text leads with where the enclosing block began ("line 1, column 1"), which is not the mistake.
    """
    problem = getattr(err, "problem", None)
    mark = getattr(err, "problem_mark", None)
    if problem is None or mark is None:
        return f"{source + ': ' if source else ''}not valid YAML: {' '.join(str(err).split())}"
    where = f"{source + ', ' if source else ''}line {mark.line + 1}, column {mark.column + 1}"
    message = f"{where}: {problem}"
    context, context_mark = getattr(err, "context", None), getattr(err, "context_mark", None)
    if context and context_mark is not None:
        message += (
            f" ({context} that starts at line {context_mark.line + 1}, column {context_mark.column + 1})"
        )
    lines = text.splitlines()
    if 0 <= mark.line < len(lines):
        message += f"\n  {mark.line + 1} | {lines[mark.line]}"
    return message


def documents_of(text: str, source: str = "") -> list[dict[str, Any]]:
    """The non-empty documents of a YAML stream; FieldError when it is not YAML or a document has no kind."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as err:
        raise FieldError("path", yaml_problem(err, text, source)) from None
    if not docs:
        raise FieldError("path", "the file holds no documents")
    for index, doc in enumerate(docs, 1):
        if not isinstance(doc, dict) or not doc.get("kind") or not doc.get("apiVersion"):
            raise FieldError("path", f"document {index} has no apiVersion/kind")
    return docs


class ManifestPickerDialog(FormDialog[ManifestChoice]):
    """Choose a manifest from the listed directories or type a path; returns the file and its text."""

    DEFAULT_CSS = """
    ManifestPickerDialog #files { height: auto; max-height: 12; }
    """

    title_text = "Apply a manifest"
    ok_label = "Next"

    def __init__(self, directories: Sequence[Path], base: Path | None = None) -> None:
        super().__init__()
        self.directories = list(directories)
        self.base = base or Path.cwd()
        self.files = manifest_files(self.directories)

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base))
        except ValueError:
            return str(path)

    def compose_form(self) -> Iterable[Widget]:
        if self.files:
            yield Label("Manifests found:", classes="field-label")
            yield OptionList(
                *[Option(self._label(p), id=str(i)) for i, p in enumerate(self.files)], id="files"
            )
        else:
            yield Label("No manifests found here; type a path.", classes="field-label")
        yield from field(
            "Or a path", LineInput("", placeholder="e.g. deployment.yaml or a folder", id="path")
        )

    def on_mount(self) -> None:
        self.query_one("#files" if self.files else "#path").focus()

    @on(OptionList.OptionSelected, "#files")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = str(self.files[int(event.option.id or 0)])
        self.submit()

    def collect(self) -> ManifestChoice:
        typed = self.query_one("#path", Input).value.strip()
        if typed:
            path = Path(typed).expanduser()
            if not path.is_absolute():
                path = self.base / path
            return ManifestChoice(path, read_manifests(path))
        elif self.files:
            highlighted = self.query_one("#files", OptionList).highlighted
            path = self.files[highlighted or 0]
        else:
            raise FieldError("path", "type the path of a manifest")
        return ManifestChoice(path, read_manifest(path))


@dataclass(frozen=True)
class DocumentOutcome:
    """One document's line in the preview: what it is and what the server's dry run said."""

    kind: str
    name: str
    namespace: str | None
    outcome: str
    ok: bool


class ApplyPreviewDialog(FormDialog[bool]):
    """Shows each document and its dry-run result; applying is refused while any document fails."""

    DEFAULT_CSS = """
    ApplyPreviewDialog > #dialog { width: 110; }
    ApplyPreviewDialog #documents { height: auto; max-height: 14; }
    """

    ok_label = "Apply"

    def __init__(self, path: Path, documents: Sequence[DocumentOutcome]) -> None:
        super().__init__()
        self.path = path
        self.documents = list(documents)
        self.failures = [d for d in self.documents if not d.ok]
        self.title_text = f"Apply {path.name}: server dry run"

    def compose_form(self) -> Iterable[Widget]:
        table: DataTable[str] = DataTable(id="documents", cursor_type="row")
        table.add_columns("KIND", "NAME", "NAMESPACE", "DRY RUN")
        for doc in self.documents:
            table.add_row(doc.kind, doc.name, doc.namespace or "", doc.outcome)
        yield table
        if self.failures:
            yield Label(
                f"{len(self.failures)} of {len(self.documents)} documents fail the dry run; "
                "nothing will be applied.",
                id="verdict",
            )
        else:
            yield Label(f"All {len(self.documents)} documents pass the dry run.", id="verdict")

    def on_mount(self) -> None:
        self.query_one("#cancel" if self.failures else "#ok").focus()

    def collect(self) -> bool:
        if self.failures:
            first = self.failures[0]
            raise FieldError("documents", f"{first.kind} {first.name}: {first.outcome}")
        return True

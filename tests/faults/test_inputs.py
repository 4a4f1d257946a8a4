"""Absurd input in every field: empty, negative, not a number, huge, 5,000 characters, other scripts. Each is
either a valid value or refused in place with a message naming the problem; nothing raises anything else.
Apply is given a directory, a binary file, a 20 MB file and a multi-document file with one bad document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input

from kubetui.screens.dialogs import ExposeDialog, NewDeploymentDialog, ScaleDialog
from kubetui.screens.dialogs.apply import documents_of, read_manifests
from kubetui.screens.dialogs.validation import FieldError

VALUES = ["", "   ", "-1", "abc", "3.5", "1e3", "0x10", "١٢٣", "99999999999999999999", "9" * 5000, "x" * 5000,
          "名前", "web\n", "web; rm -rf /", "<b>[bold]x[/bold]</b>"]  # fmt: skip
NUMERIC = {"replicas", "port", "target-port", "node-port"}
NAMES = {"name", "service-name"}


class Host(App[None]):
    def __init__(self, dialog: Any) -> None:
        super().__init__()
        self.dialog = dialog

    def on_mount(self) -> None:
        self.push_screen(self.dialog)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ScaleDialog("Deployment", "web", 2),
        lambda: NewDeploymentDialog("default"),
        lambda: ExposeDialog("Deployment", "web", [8080], service_type="NodePort"),
    ],
    ids=["scale", "new", "expose"],
)
async def test_every_field_refuses_absurd_values_by_name(make: Any) -> None:
    dialog = make()
    async with Host(dialog).run_test() as pilot:
        await pilot.pause()
        fields = {i.id: i for i in dialog.query(Input) if i.id and not i.disabled}
        valid = {"name": "web", "image": "nginx:1.27", "replicas": "1", "port": "80", "service-name": "web"}
        defaults = {k: valid.get(k, f.value) for k, f in fields.items()}
        for field_id, field in fields.items():
            for value in VALUES:
                for other, default in defaults.items():
                    fields[other].value = default
                field.value = value
                try:
                    result = dialog.collect()
                except FieldError as err:
                    assert err.message.strip(), (field_id, value)
                    assert err.field == field_id, (field_id, value, err.field, err.message)
                    if field_id in NUMERIC and value.strip():
                        assert any(w in err.message for w in ("number", "or more", "or less", "port")), (
                            err.message
                        )
                    continue
                # Accepted: only values that are what the field asks for.
                if field_id in NUMERIC and value.strip():
                    assert value.strip().lstrip("+-").isascii() and value.strip().lstrip("+-").isdigit(), (
                        field_id,
                        value,
                        result,
                    )
                if field_id in NAMES:
                    assert len(value) <= 253 and value.isascii(), (field_id, value[:20])


def test_apply_inputs_name_their_problem(tmp_path: Path) -> None:
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    with pytest.raises(FieldError, match=r"no \.yaml, \.yml or \.json files in this directory"):
        read_manifests(empty_dir)
    binary = tmp_path / "image.yaml"
    binary.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(FieldError) as caught:
        read_manifests(binary)
    assert "image.yaml" in caught.value.message
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(20 * 2**20)
    with pytest.raises(FieldError, match="larger than 4 MiB"):
        read_manifests(big)
    multi = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
        "metadata: {name: no-kind}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    )
    with pytest.raises(FieldError, match="document 2 has no apiVersion/kind"):
        documents_of(multi)

"""Modal dialogs for acting on the cluster; each is a ``ModalScreen[T]`` returning what the person chose."""

from __future__ import annotations

from kubetui.screens.dialogs.apply import ApplyPreviewDialog, DocumentOutcome, ManifestPickerDialog
from kubetui.screens.dialogs.confirm import ConfirmDialog, DeleteDialog
from kubetui.screens.dialogs.create import NewDeploymentDialog
from kubetui.screens.dialogs.expose import ExposeDialog
from kubetui.screens.dialogs.registry import RegistrySecretDialog
from kubetui.screens.dialogs.rollout import RolloutScreen
from kubetui.screens.dialogs.scale import ScaleDialog
from kubetui.screens.dialogs.set_image import SetImageDialog
from kubetui.screens.dialogs.undo import RolloutUndoDialog

__all__ = [
    "ApplyPreviewDialog",
    "ConfirmDialog",
    "DeleteDialog",
    "DocumentOutcome",
    "ExposeDialog",
    "ManifestPickerDialog",
    "NewDeploymentDialog",
    "RegistrySecretDialog",
    "RolloutScreen",
    "RolloutUndoDialog",
    "ScaleDialog",
    "SetImageDialog",
]

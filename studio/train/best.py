"""BestWeights: a copy of the weights of the best epoch so far, restored at the end of a run."""

from __future__ import annotations

import torch
from torch import nn

from studio.train.callbacks import Monitor
from studio.train.events import EpochEnd


def _copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class BestWeights:
    """Tracks the best epoch by ``monitor``; keeps the initial weights as the fallback after a failure."""

    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor
        self.epoch: int | None = None
        self.value: float | None = None
        self.label = ""
        self._state: dict[str, torch.Tensor] | None = None
        self._initial: dict[str, torch.Tensor] | None = None
        self.unsaved = False  # a new best since the last take_unsaved()

    def start(self, model: nn.Module) -> None:
        self.epoch, self.value, self.label, self._state = None, None, "", None
        self._initial = _copy(model)

    def update(self, event: EpochEnd, model: nn.Module) -> None:
        value = self.monitor.value(event)
        if self.monitor.improved(value, self.value):
            self.epoch, self.value = event.epoch, value
            self.label = f"{self.monitor.label(event)} {value:.4g}"
            self._state = _copy(model)
            self.unsaved = True

    def take_unsaved(self) -> dict[str, torch.Tensor] | None:
        """The best weights if they changed since the last call (for a checkpoint), else None."""
        if not self.unsaved:
            return None
        self.unsaved = False
        return self._state

    def state_dict(self) -> dict[str, object]:
        """Where the best epoch stands (the weights themselves are saved as model.safetensors)."""
        return {"epoch": self.epoch, "value": self.value, "label": self.label}

    def weights_if_not(self, epoch: int) -> dict[str, torch.Tensor] | None:
        """A copy of the best weights unless they are ``epoch``'s own (then the model holds them)."""
        if self._state is None or self.epoch == epoch:
            return None
        return {k: v.detach().cpu().clone() for k, v in self._state.items()}

    def load_state_dict(self, state: dict[str, object], weights: dict[str, torch.Tensor]) -> None:
        """Where the best epoch stood in a checkpoint, with that epoch's weights (resuming a run)."""
        epoch = state.get("epoch")
        self.epoch = int(epoch) if isinstance(epoch, int | float) else None
        value = state.get("value")
        self.value = float(value) if isinstance(value, int | float) else None
        self.label = str(state.get("label") or "")
        device = next(iter(self._initial.values())).device if self._initial else "cpu"
        self._state = {k: v.to(device) for k, v in weights.items()} if self.epoch is not None else None
        self.unsaved = self._state is not None

    def restore(self, model: nn.Module, failed: bool) -> None:
        """Load the best epoch's weights; with none, the initial ones after a failure, else keep the current."""
        state = self._state if self._state is not None else (self._initial if failed else None)
        if state is not None:
            model.load_state_dict(state)

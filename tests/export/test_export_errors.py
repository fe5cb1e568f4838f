"""When torch cannot export a model, or there is nothing to trace it with: one clean sentence, no exporter log."""

from __future__ import annotations

import pytest
import torch

from studio.errors import ExportError
from studio.export.to_onnx import module_to_onnx


class DataDependent(torch.nn.Module):
    """A branch on a value: torch.export cannot trace it (no block of the studio does this)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum().item() > 0:
            return x * 2
        return x


def test_a_model_torch_cannot_export_gives_the_cause_without_colours_or_log(capfd) -> None:
    with pytest.raises(ExportError) as info:
        module_to_onnx(DataDependent(), torch.randn(4, 3), "out")
    sentence = str(info.value)
    assert "data-dependent" in sentence and "Next steps" not in sentence
    assert "\x1b[" not in sentence and "<class" not in sentence and len(sentence) <= 300
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_no_rows_to_trace_with_is_said_before_torch_is_asked() -> None:
    with pytest.raises(ExportError, match="no rows to trace the model with"):
        module_to_onnx(torch.nn.Linear(3, 2), torch.zeros(0, 3), "out")

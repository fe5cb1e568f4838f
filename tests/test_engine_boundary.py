"""The engine never imports the UI, and `studio predict` never imports torch."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT

UI_IMPORT = re.compile(r"^\s*(import|from)\s+(streamlit|plotly)\b", re.M)


def test_no_ui_import_in_engine_sources() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "studio").rglob("*.py") if UI_IMPORT.search(p.read_text())]
    assert offenders == []


def test_engine_import_pulls_in_no_ui_module() -> None:
    code = (
        "import sys, studio.pipeline, studio.runs, studio.cli\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


ML_IMPORT = re.compile(r"^\s*(import|from)\s+(torch|sklearn|onnx|onnxruntime|onnxscript|safetensors)\b", re.M)


def test_ui_sources_import_no_ml_library() -> None:
    """components/ renders and edits; whatever computes lives in studio/ and is called from there."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "components").rglob("*.py")
                 if ML_IMPORT.search(p.read_text())]
    assert offenders == []

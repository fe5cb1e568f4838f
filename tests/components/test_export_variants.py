"""Export page: Compare variants measures every variant, shows the table and the recommendation, and
offers every variant file for download (model.int8.onnx included)."""

from __future__ import annotations

import pytest

from studio.export import export_run
from studio.export.variants import FILES, TABLE
from studio.pipeline import train_recipe
from studio.recipe import load_recipe
from tests.components.helpers import by_key, clean, texts
from tests.conftest import PRESETS


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    r = load_recipe(PRESETS / "iris-mlp.json")
    r = r.updated(training={**r.training.model_dump(), "epochs": 5})
    run = train_recipe(r, runs_root=root).run_dir
    export_run(run, quantize="int8")
    mp = pytest.MonkeyPatch()
    mp.setenv("STUDIO_RUNS_DIR", str(root))
    mp.setenv("STUDIO_SHARED_RUNS", "1")  # runs made outside the app belong to no app user
    yield run
    mp.undo()


def _variant_downloads(at) -> dict:
    return {b.key.removeprefix("export.variant."): b for b in at.get("download_button")
            if str(b.key).startswith("export.variant.")}


@pytest.mark.slow
def test_compare_variants_table_recommendation_and_every_download(at, exported):
    at.switch_page("app_pages/export.py").run()
    at.selectbox(key="export.run.none").set_value(str(exported)).run()
    clean(at)
    # before measuring: the export's own files can be downloaded already, int8 included
    assert set(_variant_downloads(at)) == {"fp32", "dynamic int8"}
    assert "Not measured for this export yet." in texts(at.caption)
    help_text = by_key(at.checkbox, "export.int8").help
    assert "smaller file" not in help_text and "measured" in help_text
    by_key(at.button, "export.variants").click().run(timeout=120)
    clean(at)
    table = next(d.value for d in at.dataframe if "labels changed" in d.value.columns)
    assert list(table["variant"]) == list(FILES)
    assert (exported / TABLE).is_file()
    for _, row in table.iterrows():
        if row["file"]:
            assert int(row["size bytes"]) == (exported / row["file"]).stat().st_size
    said = texts(at.info)
    assert "Keep fp32 (model.onnx)" in said or "Use " in said
    downloads = _variant_downloads(at)
    made = {name for name in FILES if (exported / FILES[name]).is_file()}
    assert set(downloads) == made and {"fp32", "dynamic int8"} <= made
    for name, button in downloads.items():
        assert button.proto.label == f"{name}: {FILES[name]}" and not button.proto.disabled
    commands = "\n".join(c.value for c in at.code)
    assert f"studio prune {exported} --sparsity 0.5 --structured" in commands and "studio distill" in commands

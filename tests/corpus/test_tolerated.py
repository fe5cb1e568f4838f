"""Inputs that look odd but are fine: they must work (at most with a notice), not be refused."""

from __future__ import annotations

import json

import pandas as pd

from studio.cli import main
from studio.recipe import load_recipe, recipe_from_json
from tests.corpus.workspace import Workspace, recipe_dict


def test_a_recipe_saved_with_a_byte_order_mark_is_read(ws: Workspace) -> None:
    """Windows editors write one; JSON parsers that refuse it leave a person puzzled."""
    path = ws.write("recipe.json", b"\xef\xbb\xbf" + json.dumps(recipe_dict(name="bom")).encode())
    assert load_recipe(path).name == "bom"
    assert recipe_from_json("\ufeff" + json.dumps(recipe_dict(name="bom")), "upload.json").name == "bom"


def _predict(ws: Workspace, rows: pd.DataFrame, capsys, *extra: str) -> tuple[int, str, str]:
    path = ws.csv("rows.csv", rows)
    code = main(["predict", str(ws.model), str(path), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_extra_and_reordered_columns_are_ignored_with_a_notice(ws: Workspace, capsys) -> None:
    rows = ws.rows()
    odd = rows[list(reversed(rows.columns))].assign(comment="hello", label="yes")  # the target is not "extra"
    code, out, err = _predict(ws, odd, capsys)
    assert code == 0
    assert err == "notice: ignored 1 column(s) the model does not use: comment\n"
    assert len(pd.read_csv(pd.io.common.StringIO(out))) == len(rows)


def test_blank_values_are_missing_values_the_model_fills(ws: Workspace, capsys) -> None:
    rows = ws.rows().astype(object)
    rows.loc[rows.index[:3], ["x", "size", "color", "when"]] = ""
    code, out, _ = _predict(ws, rows, capsys)
    assert code == 0
    predictions = pd.read_csv(pd.io.common.StringIO(out))
    assert predictions["prediction"].notna().all() and len(predictions) == len(rows)


def test_predict_out_in_a_folder_that_does_not_exist_yet_makes_it(ws: Workspace, capsys) -> None:
    code, out, _ = _predict(ws, ws.rows(), capsys, "--out", "new/predictions.csv")
    assert code == 0 and "wrote" in out
    assert len(pd.read_csv(ws.cwd / "new" / "predictions.csv")) == len(ws.rows())


def test_runs_lists_a_run_whose_summary_has_odd_types(ws: Workspace, capsys) -> None:
    """A hand-edited summary.json (seconds as text) must not break `studio runs` for every run."""
    run = ws.copy_run("runs/run")
    summary = json.loads((run / "summary.json").read_text())
    odd = {**summary, "seconds": "x", "epochs_run": "many", "best_epoch": [1], "name": 42}
    (run / "summary.json").write_text(json.dumps(odd))
    assert main(["runs", "--out", "runs"]) == 0
    out = capsys.readouterr().out
    assert "run" in out.splitlines()[1] and "0.0 s" in out

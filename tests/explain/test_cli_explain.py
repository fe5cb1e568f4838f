"""`studio explain RUN`: the table on stdout, importance.csv in the run, one sentence and exit 2 on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from studio.cli import main
from studio.runs import RunDir


def test_prints_the_table_and_saves_it(table_run: Path, tmp_path: Path, capsys):
    run = Path(shutil.copytree(table_run, tmp_path / "run"))
    out = tmp_path / "sub" / "imp.csv"
    assert main(["explain", str(run), "--repeats", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("test accuracy ") and "2 shuffles, seed 0" in printed[0]
    assert printed[1].split() == ["column", "kind", "drop", "std"]
    assert printed[2].split()[0] == "signal"
    assert printed[-1] == f"wrote {out}"
    written = pd.read_csv(out)
    assert list(written.columns) == ["column", "kind", "mean_drop", "std_drop"] and len(written) == 4
    assert RunDir(run).read_importance() is not None


def test_bad_input_is_one_sentence_and_exit_2(table_run: Path, tmp_path: Path, capsys):
    assert main(["explain", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("error: run directory")
    assert main(["explain", str(table_run), "--repeats", "0"]) == 2
    err = capsys.readouterr().err
    assert "--repeats" in err and "from 1 to 1000" in err and err.count("\n") == 1
    empty = Path(shutil.copytree(table_run, tmp_path / "empty"))
    pd.read_csv(empty / RunDir.TEST_ROWS).head(0).to_csv(empty / RunDir.TEST_ROWS, index=False)
    assert main(["explain", str(empty)]) == 2
    err = capsys.readouterr().err
    assert "no test rows" in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (empty / RunDir.IMPORTANCE).exists()
    assert main(["explain", str(table_run), "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err

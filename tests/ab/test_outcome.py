"""A vs B: the table and the one sentence, from the numbers only; and an outcome read from a real run."""

from __future__ import annotations

import pytest

from studio.ab import Outcome, compare, outcome_of_run


def _o(side: str, test: float | None, gap: float | None, status: str = "completed", **kw) -> Outcome:
    return Outcome(f"{side}: dropout {0 if side == 'A' else 0.3}", status, "accuracy", kw.pop("best", 0.9), test,
                   kw.pop("epochs", 20), gap, **kw)


def test_the_higher_test_metric_generalised_better():
    result = compare(_o("A", 0.90, 0.08), _o("B", 0.93, 0.01))
    assert result.winner == "B"
    assert result.sentence == ("B (dropout 0.3) generalised better: test accuracy 0.9300 against 0.9000, and a "
                               "train − validation gap of +0.0100 against +0.0800.")
    assert result.labels == ("A: dropout 0", "B: dropout 0.3")
    assert result.rows == [
        ("status", "completed", "completed"),
        ("best validation accuracy", "0.9000", "0.9000"),
        ("test accuracy", "0.9000", "0.9300"),
        ("epochs", "20", "20"),
        ("final train − validation gap (accuracy)", "+0.0800", "+0.0100"),
    ]
    assert compare(_o("A", 0.95, 0.08), _o("B", 0.93, 0.01)).winner == "A"  # numbers only, not the preset


def test_with_about_the_same_test_metric_the_smaller_gap_wins():
    result = compare(_o("A", 0.920, 0.06), _o("B", 0.918, 0.01))
    assert result.winner == "B"
    assert "with about the same test accuracy (0.9200 and 0.9180), its train − validation gap is smaller " \
           "(+0.0100 against +0.0600)" in result.sentence


def test_a_tie_says_so():
    result = compare(_o("A", 0.92, 0.02), _o("B", 0.921, 0.021))
    assert result.winner is None
    assert result.sentence.startswith("A and B generalised about equally well: test accuracy 0.9200 and 0.9210")


def test_without_test_metrics_the_best_validation_metric_decides():
    result = compare(_o("A", None, None, best=0.80), _o("B", None, None, best=0.85))
    assert result.winner == "B" and "best validation accuracy 0.8500 against 0.8000" in result.sentence
    assert result.rows[2] == ("test accuracy", "–", "–")


def test_a_failed_run_cannot_be_compared():
    result = compare(_o("A", None, None, status="failed", message="the loss became NaN at epoch 3."),
                     _o("B", 0.9, 0.01))
    assert result.winner is None
    assert result.sentence == ("A (dropout 0) failed (the loss became NaN at epoch 3), so the two cannot be "
                               "compared; train A and B again.")


def test_an_outcome_is_read_from_a_run_folder(tmp_path):
    from studio.recipe import Recipe
    from studio.runs import RunDir, RunSummary

    run = RunDir.create(tmp_path, Recipe(name="moons A: lr 0.01"))
    run.write_metrics([{"epoch": e, "train_loss": 0.5, "val_loss": 0.6, "train_metric": 0.8, "val_metric": v}
                       for e, v in ((1, 0.70), (2, 0.86), (3, 0.84))])
    run.write_summary(RunSummary("early_stopped", "moons A: lr 0.01", "classification", "accuracy", metrics={
        "train": {"accuracy": 0.95}, "val": {"accuracy": 0.86}, "test": {"accuracy": 0.88}}, epochs_run=3))
    out = outcome_of_run("A: lr 0.01", run.path)
    assert (out.status, out.metric, out.epochs, out.test, out.best_val) == ("early_stopped", "accuracy", 3, 0.88, 0.86)
    assert out.gap == pytest.approx(0.09)
    missing = outcome_of_run("B: lr 1", None, "failed", "the data cannot be read")
    assert (missing.status, missing.message, missing.test) == ("failed", "the data cannot be read", None)

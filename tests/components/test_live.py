"""Pure parts of the run pages: progress from job events, the runs folder, and the run figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import figures, live


def _epoch(n: int, seconds: float = 2.0) -> dict:
    return {"event": "epoch", "epoch": n, "train_loss": 1.0 / n, "val_loss": 1.1 / n, "train_metric": 0.5,
            "val_metric": 0.6, "metric_name": "accuracy", "lr": 0.01, "seconds": seconds, "samples_per_sec": 900.0}


STARTED = {"event": "started", "epochs": 10, "batches_per_epoch": 4, "n_train": 100, "n_val": 20,
           "device": "cpu (2 threads)", "precision": "fp32"}


def test_progress_before_any_event():
    p = live.progress([], None)
    assert (p.epoch, p.epochs, p.fraction, p.samples_per_sec, p.seconds_left) == (0, 0, 0.0, None, None)
    assert p.text() == "epoch 0/?"


def test_progress_counts_epochs_and_the_running_batch():
    batch = {"event": "batch", "epoch": 3, "batch": 2, "batches": 4, "loss": 0.3, "samples_per_sec": 1234.0}
    p = live.progress([STARTED, _epoch(1), _epoch(2)], batch)
    assert p.epoch == 2 and p.epochs == 10
    assert p.fraction == pytest.approx(2.5 / 10)
    assert p.samples_per_sec == 1234.0  # the batch is newer than the last epoch
    assert p.seconds_left == pytest.approx(2.0 * 7.5)
    assert p.text() == "epoch 2/10 · 1,234 samples/s · about 15 s left · on cpu (2 threads)"


def test_progress_ignores_a_stale_batch():
    stale = {"event": "batch", "epoch": 2, "batch": 4, "batches": 4, "loss": 0.3, "samples_per_sec": 1.0}
    p = live.progress([STARTED, _epoch(1), _epoch(2)], stale)
    assert p.fraction == pytest.approx(0.2) and p.samples_per_sec == 900.0


@pytest.mark.parametrize(("seconds", "text"), [(4.2, "4 s"), (125, "2 min 05 s"), (7300, "2 h 01 min")])
def test_format_seconds(seconds, text):
    assert live.format_seconds(seconds) == text


def test_epoch_frame_has_metrics_columns_and_metric_name():
    frame = live.epoch_frame([STARTED, _epoch(1), {"event": "finished"}, _epoch(2)])
    assert frame["epoch"].tolist() == [1, 2]
    assert {"train_loss", "val_loss", "train_metric", "val_metric", "lr"} <= set(frame.columns)
    assert live.metric_name([STARTED, _epoch(1)]) == "accuracy" and live.metric_name([]) == "metric"
    assert live.epoch_frame([]).empty


def _labelled(fig: go.Figure) -> None:
    assert fig.layout.title.text and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    assert "(" in fig.layout.xaxis.title.text and "(" in fig.layout.yaxis.title.text


def test_confusion_matrix_counts_and_normalized():
    counts = figures.confusion_matrix([[3, 1], [0, 4]], ["a", "b"])
    norm = figures.confusion_matrix([[3, 1], [0, 0]], ["a", "b"], normalize=True)
    assert list(counts.data[0].z[0]) == [3.0, 1.0]
    assert list(norm.data[0].z[0]) == [0.75, 0.25] and list(norm.data[0].z[1]) == [0.0, 0.0]  # an empty row stays 0
    assert "normalized" in norm.layout.title.text and "counts" in counts.layout.title.text
    _labelled(counts)


def test_roc_has_one_curve_per_class_plus_chance():
    fig = figures.roc_curves({"a": {"fpr": [0, 1], "tpr": [0, 1]}, "b": {"fpr": [0, 0.5, 1], "tpr": [0, 1, 1]}},
                                 0.912)
    assert [t.name for t in fig.data] == ["class a", "class b", "chance"]
    assert "AUC 0.912" in fig.layout.title.text
    _labelled(fig)


def test_regression_figures():
    fig = figures.predicted_vs_actual([1.0, 2.0, 3.0], [1.5, 2.0, 2.0], "price")
    assert list(fig.data[1].x) == [1.0, 3.0]  # the ideal line spans the data
    res = figures.residuals([1.0, 2.0, 3.0], [1.5, 2.0, 2.0], "price")
    assert list(res.data[0].y) == [-0.5, 0.0, 1.0]
    _labelled(fig)
    _labelled(res)


def test_latency_overlay_probabilities_parity_lr():
    bench = pd.DataFrame({"runtime": ["torch eager", "onnxruntime (optimized)"] * 2, "batch": [1, 1, 256, 256],
                          "p50_us": [50.0, 10.0, 400.0, 90.0]})
    lat = figures.latency(bench)
    assert [t.name for t in lat.data] == ["batch 1", "batch 256"] and list(lat.data[1].y) == [400.0, 90.0]
    hist = pd.DataFrame({"epoch": [1, 2], "val_loss": [0.5, 0.4]})
    over = figures.overlay({"run a": hist, "run b": hist.assign(val_loss=None)}, "val_loss", "loss (nats)")
    assert [t.name for t in over.data] == ["run a"]  # a run without the column is left out
    proba = figures.probabilities(["x", "y"], [0.25, 0.75])
    assert list(proba.data[0].y) == [0.25, 0.75]
    par = figures.parity({"accuracy": 0.9, "roc_auc": None}, {"accuracy": 0.9})
    assert list(par.data[0].x) == ["accuracy"]
    lr = figures.lr_preview([0.1, 0.05], "step")
    assert list(lr.data[0].x) == [1, 2]
    for fig in (lat, over, proba, par, lr):
        _labelled(fig)


@pytest.mark.parametrize(("raw", "seconds"), [(None, 0.8), ("1", 1.0), ("5", 1.0), ("0.01", 0.2), ("x", 0.8)])
def test_poll_seconds_stays_within_a_second(monkeypatch, raw, seconds):
    if raw is None:
        monkeypatch.delenv(live.POLL_ENV, raising=False)
    else:
        monkeypatch.setenv(live.POLL_ENV, raw)
    assert live.poll_seconds() == seconds
    assert live.poll_seconds(fast=True) == min(seconds, 0.45)  # the live decision boundary: >= 2 redraws a second


def test_live_curves_one_figure_four_labelled_panels():
    hist = pd.DataFrame({"epoch": [1, 2], "train_loss": [0.9, 0.5], "val_loss": [1.0, 0.6],
                         "train_metric": [0.5, 0.7], "val_metric": [0.4, 0.6], "lr": [0.01, 0.01]})
    fig = figures.live_curves(hist, "accuracy", [3, 6, 9], [0.9, 0.7, 0.8], [0.9, 0.78, 0.79])
    assert [t.name for t in fig.data] == ["train loss", "validation loss", "train accuracy",
                                          "validation accuracy", "learning rate", "batch loss",
                                          "batch loss (smoothed)"]
    assert [a.text for a in fig.layout.annotations] == ["Loss per epoch", "accuracy per epoch",
                                                        "Learning rate per epoch", "Loss per batch"]
    assert all(fig.layout[f"xaxis{i}"].title.text == "epoch (count)" for i in ("", "2", "3"))
    assert fig.layout.xaxis4.title.text == "batch (count)"
    assert fig.layout.yaxis2.title.text == "accuracy (higher is better)"
    assert list(fig.data[5].x) == [3, 6, 9] and list(fig.data[6].y) == [0.9, 0.78, 0.79]
    assert fig.data[5].xaxis == fig.data[6].xaxis == "x4"


def test_no_time_left_once_the_run_finished() -> None:
    events = [{"event": "started", "epochs": 50, "device": "cpu"},
              {"event": "epoch", "epoch": 1, "seconds": 0.1, "samples_per_sec": 100.0},
              {"event": "finished", "status": "early_stopped"}]
    assert "left" not in live.progress(events, None).text()
    assert "left" in live.progress(events[:2], None).text()

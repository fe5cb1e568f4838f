"""The "Weights, activations and gradients over epochs" section: on Evaluate for a finished run read from
disk (its histograms.json), and live on the Train page while a run trains."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch import nn

from components.histograms import TITLE
from studio.recipe import Recipe
from studio.runs import RunDir, RunSummary
from studio.status import RunStatus
from studio.train.histograms import HistogramProbe, as_dict
from tests.components.helpers import by_key, clean


def _deep_sigmoid_histograms() -> dict:
    """Three readings of a 6-layer sigmoid MLP, as HistogramProbe records them (no Trainer: fast)."""
    torch.manual_seed(0)
    model = nn.Sequential(*[m for i in range(5) for m in (nn.Linear(2 if i == 0 else 16, 16), nn.Sigmoid())],
                          nn.Linear(16, 2))
    x, y = torch.randn(200, 2), torch.randint(0, 2, (200,))
    probe = HistogramProbe(interval=0.0, budget=math.inf)
    assert probe.start(model, x, y, None, None, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in (1, 2, 3):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        probe.after_epoch(epoch)
    return as_dict(probe.latest)


@pytest.fixture
def finished_run(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(root))
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")
    run = RunDir.create(root, Recipe.from_dict({"name": "deep", "data": {"source": "builtin:moons"}}))
    run.write_metrics([{"epoch": i, "train_loss": 0.69, "val_loss": 0.69, "lr": 0.1} for i in (1, 2, 3)])
    run.write_summary(RunSummary(status=RunStatus.COMPLETED, name="deep", task="classification",
                                 primary_metric="accuracy", epochs_run=3))
    run.write_histograms(_deep_sigmoid_histograms())
    return run


def _titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def _spec(at, title: str) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith(title))


def test_evaluate_shows_a_finished_runs_histograms(at, finished_run):
    at.switch_page("app_pages/evaluate.py").run()
    clean(at)
    assert [e.label for e in at.get("expander")].count(TITLE) == 1
    assert not any(t.startswith("Weights of") for t in _titles(at))  # closed: nothing drawn
    at.session_state["evaluate.histograms"] = True  # the person opens it
    at.run()
    clean(at)
    heat = _spec(at, "Weights of layer 1 over epochs")
    assert heat["data"][0]["type"] == "heatmap" and heat["data"][0]["x"] == [0.5, 1.5, 2.5, 3.5]  # epochs 1-3
    norms = _spec(at, "Gradient norm per layer")
    names = [t.get("name") or "" for t in norms["data"]]
    assert any(n.startswith("vanishing: below 0.001") for n in names) and "layer 6" in names
    by_key(at.get("button_group"), "evaluate.histograms.kind").set_value("gradients").run()
    by_key(at.selectbox, "evaluate.histograms.layer").set_value(5).run()
    clean(at)
    assert any(t.startswith("Gradients of layer 6 over epochs") for t in _titles(at))


def test_the_train_page_shows_the_runs_histograms(at, tmp_path, monkeypatch):
    from tests.components.test_train_page import W, status, until

    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))
    by_key(at.selectbox, "sidebar.preset").set_value("iris-mlp").run()
    at.switch_page("app_pages/train.py").run()
    by_key(at.number_input, f"{W}training.epochs").set_value(3).run()
    by_key(at.button, "train.start").click().run()
    until(at, lambda a: status(a) not in ("running", "created", ""))
    clean(at)
    assert [e.label for e in at.get("expander")].count(TITLE) == 1
    at.session_state["train.histograms"] = True
    at.run()
    clean(at)
    heat = _spec(at, "Weights of layer 1 over epochs")
    assert heat["data"][0]["type"] == "heatmap" and max(heat["data"][0]["x"]) <= 3.5  # column edges
    by_key(at.get("button_group"), "train.histograms.kind").set_value("activations").run()
    clean(at)
    assert any(t.startswith("Activations of layer 1") for t in _titles(at))
    assert any(t.startswith("Gradient norm per layer") for t in _titles(at))

"""Histograms over epochs: the bins of one tensor, what the probe records in a real fit, histograms.json
read back, the common scale of the drawings, and a deep sigmoid network's vanishing early gradients."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from studio.errors import RunError
from studio.train.diagnose import VANISHING_RATIO, vanishing_limit
from studio.train.distributions import distribution, gradient_norms, problem
from studio.train.health import HealthEnd, HealthProbe
from studio.train.histograms import MAX_READINGS, HistogramProbe, HistogramsEnd, histogram, histograms
from studio.train.trainer import Trainer
from tests.train.conftest import N_CLASSES, N_FEATURES, Recorder, make_recipe


def test_a_known_tensor_gives_its_known_histogram():
    bounds, counts = histogram(torch.arange(30.0))  # 0..29 in 30 bins: one value each, 29 in the last
    assert bounds.tolist() == [0.0, 29.0] and counts.tolist() == [1] * 30 + [0]
    w = torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 3.0]])  # bins of width 0.1 from 0 to 3
    bounds, counts = histogram(w)
    assert bounds.tolist() == [0.0, 3.0]
    assert counts[0] == 3 and counts[10] == 2 and counts[29] == 1 and counts.sum() == w.numel()
    x = torch.randn(5000, generator=torch.Generator().manual_seed(0))
    bounds, counts = histogram(x)
    expected, _ = np.histogram(x.numpy(), bins=30, range=(float(x.min()), float(x.max())))
    assert counts[:-1].tolist() == expected.tolist()


def test_counts_sum_to_the_values_and_non_finite_ones_are_counted_apart():
    tensors = [torch.tensor([1.0, math.nan, 3.0, math.inf]), torch.zeros(7), torch.full((3,), math.nan),
               torch.randn(40_000)]  # grouped small ones, and a large one alone
    bounds, counts = histograms(tensors)
    assert counts.sum(1).tolist() == [t.numel() for t in tensors]
    assert counts[:, -1].tolist() == [2, 0, 3, 0]
    assert bounds[0].tolist() == [1.0, 3.0] and counts[0, 0] == 1 and counts[0, 29] == 1
    assert bounds[1, 0] < 0 < bounds[1, 1] and counts[1, 15] == 7  # one value: widened, the middle bin
    assert bounds[2, 0] == math.inf  # no finite value: no range


def _fit(model: nn.Module, data, probes, task: str = "classification", n: int = N_CLASSES, epochs: int = 3):
    rec = Recorder()
    Trainer(model, data, make_recipe(training={"epochs": epochs}), task, n, callbacks=[rec], probes=probes).fit()
    return rec


def test_the_probe_records_every_layer_after_epochs_with_the_health_probes_gradient_norms(cls_data):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(N_FEATURES, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, N_CLASSES))
    probe, health = HistogramProbe(epochs=3, interval=0.0, budget=math.inf), HealthProbe(interval=0.0)
    rec = _fit(model, cls_data, [health, probe])
    events = [e for e in rec.events if isinstance(e, HistogramsEnd)]
    assert [len(e.readings) for e in events] == [1, 2, 3]  # the end adds none: epoch 3 is read already
    data = events[-1].to_dict()
    assert data["event"] == "histograms" and data["layers"] == ["layer 1", "layer 2", "layer 3"]
    assert data["modules"] == ["Linear"] * 3 and data["shapes"] == [[8, 4], [8, 8], [3, 8]]
    assert data["params"] == ["0.weight", "2.weight", "4.weight"] and data["rows"] == 96
    last = data["readings"][-1]
    assert last["epoch"] == 3 and not last["final"]
    for i, p in enumerate(p for p in model.parameters() if p.ndim == 2):
        assert sum(last["weights"]["counts"][i]) == p.numel() == sum(last["gradients"]["counts"][i])
        assert last["weights"]["lo"][i] == pytest.approx(float(p.detach().min())) and \
            last["weights"]["hi"][i] == pytest.approx(float(p.detach().max()))
    assert [sum(c) for c in last["activations"]["counts"]] == [96 * 8, 96 * 8, 96 * N_CLASSES]
    health_last = [e for e in rec.events if isinstance(e, HealthEnd)][-1]
    assert last["grad_norms"] == pytest.approx(list(health_last.grad_norms))  # the numbers the diagnoses read
    assert problem(data) is None and json.loads(json.dumps(data)) == data  # plain JSON


def test_regression_runs_are_read_too_and_a_long_run_keeps_at_most_max_readings(reg_data):
    torch.manual_seed(0)
    probe = HistogramProbe(interval=0.0, budget=math.inf)
    _fit(nn.Sequential(nn.Linear(N_FEATURES, 4), nn.ReLU(), nn.Linear(4, 1)), reg_data, [probe], "regression", 0, 2)
    assert [r["epoch"] for r in probe.readings] == [1, 2]
    for epoch in range(3, 130):
        probe.after_epoch(epoch)
    epochs = [r["epoch"] for r in probe.readings]
    assert len(epochs) <= MAX_READINGS and epochs[0] == 1 and epochs[-1] == 129 and epochs == sorted(epochs)


def test_the_time_budget_skips_epochs_but_never_the_last(cls_data):
    torch.manual_seed(0)
    probe = HistogramProbe(epochs=4, interval=60.0)
    _fit(nn.Sequential(nn.Linear(N_FEATURES, 8), nn.ReLU(), nn.Linear(8, N_CLASSES)), cls_data, [probe], epochs=4)
    assert [(r["epoch"], r["final"]) for r in probe.readings] == [(1, False), (4, False)]
    stopped = HistogramProbe(epochs=10, interval=60.0)  # an early end: the end is read with the kept weights
    _fit(nn.Sequential(nn.Linear(N_FEATURES, 8), nn.ReLU(), nn.Linear(8, N_CLASSES)), cls_data, [stopped])
    assert [(r["epoch"], r["final"]) for r in stopped.readings] == [(1, False), (3, True)]


def _synthetic(readings: list[tuple[float, float, list[int]]], norms: list[list[float]]) -> dict:
    """One layer's weights per reading (lo, hi, counts); gradient norms of len(norms[0]) layers."""
    n = len(norms[0])

    def part(lo, hi, counts):
        return {"lo": [lo] * n, "hi": [hi] * n, "counts": [counts] * n, "nonfinite": [0] * n}

    return {"format": 1, "bins": len(readings[0][2]), "layers": [f"layer {i + 1}" for i in range(n)],
            "rows": 4, "readings": [{"epoch": e + 1, "final": False, "grad_norms": g, "weights": part(*r),
                                     "gradients": part(*r), "activations": part(*r)}
                                    for e, (r, g) in enumerate(zip(readings, norms, strict=True))]}


def test_the_drawing_puts_every_reading_on_one_scale_and_uses_the_diagnoses_limits():
    data = _synthetic([(0.0, 1.0, [4, 0]), (0.0, 2.0, [2, 2])], [[1e-7, 1e-3, 0.5], [0.2, 0.3, 0.4]])
    dist = distribution(data, 0, "weights", grid=4)  # common scale 0..2 in bins of 0.5
    assert dist.edges.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0] and dist.epochs == [1, 2]
    assert dist.shares[:, 0].tolist() == [1.0, 0.0, 0.0, 0.0]  # all of [0, 0.5) spread over its width
    assert dist.shares[:, 1].tolist() == [0.25, 0.25, 0.25, 0.25]
    norms = gradient_norms(data)
    assert norms.norms[0] == [1e-7, 0.2] and norms.vanishing == [VANISHING_RATIO * 0.5, VANISHING_RATIO * 0.4]
    assert vanishing_limit([0.1, 0.5]) is None  # two layers: not judged, as in the diagnosis
    assert problem({"readings": [{"epoch": 1}], "layers": ["layer 1"], "bins": 2}) is not None


def test_a_deep_sigmoid_run_writes_histograms_whose_early_gradients_are_smallest(tmp_path):
    from studio.pipeline import train_recipe
    from studio.recipe import Recipe
    from studio.runs import RunDir

    blocks = [b for _ in range(8) for b in ({"kind": "dense", "units": 16}, {"kind": "activation", "fn": "sigmoid"})]
    recipe = Recipe.from_dict({"name": "deep", "data": {"source": "builtin:moons", "options": {"n_samples": 300}},
                               "preprocessing": [{"kind": "scale"}], "model": blocks,
                               "optimizer": {"kind": "sgd", "lr": 0.01, "momentum": 0.0},
                               "training": {"epochs": 2, "batch_size": 32, "device": "cpu", "threads": 1}})
    run = RunDir(train_recipe(recipe, runs_root=tmp_path).run_dir)
    saved = run.read_histograms()
    assert saved is not None and problem(saved) is None and len(saved["layers"]) == 9
    assert saved["readings"][-1]["epoch"] == 2
    for reading in saved["readings"]:
        norms = reading["grad_norms"]
        assert norms[0] < norms[2] < norms[4] < norms[6] < norms[8]  # sigmoids shrink it layer by layer
        assert norms[0] < vanishing_limit(norms)  # in the band the figure shades, as the diagnosis says
    (run / RunDir.HISTOGRAMS).write_text('{"readings": 3}')
    with pytest.raises(RunError, match=r"histograms\.json of run .* is damaged"):
        run.read_histograms()


def test_a_network_of_a_text_and_a_table_input_gets_histograms_and_health_readings(tmp_path):
    from studio.pipeline import train_recipe
    from studio.recipe import Recipe
    from studio.runs import RunDir
    from tests.conftest import preset_dict

    raw = preset_dict("reviews-mixed")
    raw["data"]["options"] = {**raw["data"].get("options", {}), "n_samples": 300}
    raw["training"].update(epochs=2, threads=1)
    run = RunDir(train_recipe(Recipe.from_dict(raw), runs_root=tmp_path).run_dir)
    saved = run.read_histograms()
    assert saved is not None and problem(saved) is None
    assert {"Embedding", "GRU", "Linear"} <= set(saved["modules"])  # the text's stack, the trunk and the head
    last = saved["readings"][-1]
    assert last["epoch"] == 2 and all(n is not None and n > 0 for n in last["grad_norms"][-2:])
    assert sum(c is not None for c in last["activations"]["counts"]) >= 2  # read on the same rows of both inputs
    health = run.read_summary().extra.get("health")
    assert health and health["layers"] and health["rows"] > 0

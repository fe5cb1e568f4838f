"""The live decision boundary on data with more than two features: over the first two principal
components, or over two chosen features with the others at their medians; saved with the run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from studio.pipeline import prepare, train_recipe, training_data
from studio.prepared import build_model
from studio.recipe import Recipe, load_recipe
from studio.runs import RunDir
from studio.train.boundary import BoundaryEnd, BoundaryProbe
from studio.train.plane import PlaneChoice, PlaneError, fit_plane, plane_inputs
from studio.train.trainer import Trainer
from tests.train.conftest import Recorder

IRIS = Path(__file__).resolve().parents[2] / "assets" / "recipes" / "iris-mlp.json"
PETALS = ("petal_length_cm", "petal_width_cm")


@pytest.fixture(scope="module")
def iris() -> Recipe:
    recipe = load_recipe(IRIS)
    return recipe.updated(training={**recipe.training.model_dump(), "epochs": 40, "device": "cpu"},
                          regularization={**recipe.regularization.model_dump(), "early_stopping": None})


def _fit(recipe: Recipe, probe: BoundaryProbe) -> tuple[torch.nn.Module, np.ndarray, BoundaryEnd]:
    prepared = prepare(recipe)
    torch.manual_seed(0)
    model = build_model(recipe, prepared)
    rec = Recorder()
    Trainer(model, training_data(prepared), recipe, "classification", 3, callbacks=[rec], probes=[probe]).fit()
    return model.eval(), prepared.x_train["table"], [e for e in rec.events if isinstance(e, BoundaryEnd)][-1]


def _cell(b: BoundaryEnd, u: float, v: float) -> float:
    """The surface's value in the grid cell nearest plane point (u, v)."""
    return b.surface[int(np.abs(np.array(b.ys) - v).argmin())][int(np.abs(np.array(b.xs) - u).argmin())]


def test_the_pca_plane_on_iris_shows_what_the_model_predicts(iris):
    probe = BoundaryProbe.for_data(prepare(iris), interval=3600.0)  # no plane chosen: the principal components
    model, x, last = _fit(iris, probe)
    assert last.final and last.plane == "pca" and last.classes == 3
    assert last.x_label.startswith("PC1 (") and last.x_label.endswith("% of variance)") and last.y_label[:4] == "PC2 "
    train = [p for p in last.points if p[3] == "train"]
    assert len(train) == len(x)
    # the points are the training rows projected onto the plane, and a grid point maps back through the PCA:
    # at each projected training point the surface shows the class the model predicts there
    from sklearn.decomposition import PCA

    pca = PCA(2, svd_solver="full").fit(x.astype(np.float64))
    uv = pca.transform(x)
    np.testing.assert_allclose(np.abs([p[:2] for p in train]), np.abs(uv), atol=1e-4)  # up to the axes' signs
    mine = probe.plane.project(x)
    np.testing.assert_allclose(probe.plane.inputs(mine), pca.inverse_transform(uv), atol=1e-4)
    with torch.no_grad():
        on_plane = model(torch.as_tensor(probe.plane.inputs(mine))).argmax(1).numpy()
        actual = model(torch.as_tensor(x)).argmax(1).numpy()
    shown = np.array([_cell(last, u, v) for u, v in mine])
    assert np.mean(shown == on_plane) > 0.95
    # iris lies close to that plane: the surface also agrees with the model at the rows themselves
    assert np.mean(shown == actual) > 0.8


def test_two_chosen_features_hold_the_others_at_their_medians(iris):
    prepared = prepare(iris)
    names, numeric = plane_inputs(prepared)
    assert names == numeric and len(names) == 4
    x = prepared.x_train["table"]
    plane = fit_plane(PlaneChoice("features", PETALS), x, names, numeric)
    assert (plane.kind, plane.x_label, plane.y_label) == ("features", *PETALS)
    uv = np.array([[-1.0, 2.0], [0.5, 0.25], [3.0, -3.0]])
    grid = plane.inputs(uv)  # (3, 4) model inputs
    np.testing.assert_allclose(grid[:, 2:], uv, rtol=1e-6)
    np.testing.assert_allclose(grid[:, :2], np.tile(np.median(x[:, :2], axis=0), (3, 1)), rtol=1e-6)
    np.testing.assert_allclose(plane.project(x), x[:, 2:])
    # the probe draws exactly that: the surface is the model on those inputs
    probe = BoundaryProbe.for_data(prepared, PlaneChoice("features", PETALS), interval=3600.0)
    model, _, last = _fit(iris, probe)
    assert (last.plane, last.x_label, last.y_label) == ("features", *PETALS)
    gx, gy = np.meshgrid(last.xs, last.ys)
    with torch.no_grad():
        classes = model(torch.as_tensor(plane.inputs(np.stack([gx.ravel(), gy.ravel()], 1)))).argmax(1)
    np.testing.assert_array_equal(np.array(last.surface).ravel(), classes.numpy().astype(float))


def test_a_bad_plane_is_one_sentence(iris):
    prepared = prepare(iris)
    with pytest.raises(PlaneError) as err:
        BoundaryProbe.for_data(prepared, PlaneChoice("features", ("petal_length_cm", "colour")))
    assert str(err.value) == ("feature 'colour' is not an input of the model; choose two of: sepal_length_cm, "
                              "sepal_width_cm, petal_length_cm, petal_width_cm, or the principal components")
    with pytest.raises(PlaneError, match=r"^feature 'city=Paris' is not numeric; choose two of: age, income"):
        PlaneChoice("features", ("age", "city=Paris")).check(["age", "income", "city=Paris"], ["age", "income"])
    with pytest.raises(PlaneError, match="two different features"):
        PlaneChoice("features", ("age", "age")).check(["age", "income"], ["age", "income"])


def test_a_running_probe_switches_planes_and_the_run_keeps_its_final_view(iris, tmp_path):
    prepared = prepare(iris)
    probe = BoundaryProbe.for_data(prepared, interval=0.0)
    torch.manual_seed(0)
    x = torch.as_tensor(prepared.x_train["table"])
    assert probe.start(build_model(iris, prepared), x, torch.as_tensor(prepared.y_train), None, None, 3)
    assert probe.after_epoch(1).plane == "pca"
    probe.set_plane(PlaneChoice("features", PETALS))  # as the page does while the run goes on
    assert probe.after_epoch(2).x_label == PETALS[0]
    with pytest.raises(PlaneError):
        probe.set_plane(PlaneChoice("features", ("sepal_length_cm", "nope")))
    # train_recipe writes the final view into the run directory
    short = iris.updated(training={**iris.training.model_dump(), "epochs": 2})
    result = train_recipe(short, runs_root=tmp_path, probes=[BoundaryProbe.for_data(prepared)])
    saved = RunDir(result.run_dir).read_boundary()
    assert saved is not None and saved["final"] and saved["plane"] == "pca" and len(saved["surface"]) == 40


def test_only_2d_data_is_redrawn_twice_a_second() -> None:
    """The Playground's own view (two inputs) is redrawn fast; a plane over more inputs at the ordinary
    pace, whose redraws cost training less (benchmarks/ui_throughput.py)."""
    from studio.train.plane import redrawn_fast, shows_boundary

    moons = prepare(Recipe.from_dict({"data": {"source": "builtin:moons", "options": {"n_samples": 200}}}))
    cancer = prepare(Recipe.from_dict({"data": {"source": "builtin:breast_cancer"}}))
    assert shows_boundary(moons) and redrawn_fast(moons)
    assert shows_boundary(cancer) and not redrawn_fast(cancer)

"""The decision boundary's figures and caption name the plane they show, escaped, and lay every hidden unit out."""

from __future__ import annotations

import numpy as np

from components import boundary_view, figures


def _boundary(plane: str, x_label: str, y_label: str) -> dict:
    grid = tuple(tuple(float(i + j) % 3 for j in range(4)) for i in range(3))
    units = tuple((layer, u, ((0.1, 0.2), (0.3, 0.4))) for layer in (1, 3) for u in range(8))
    return {"event": "boundary", "epoch": 7, "final": False, "xs": (0.0, 1.0, 2.0, 3.0), "ys": (0.0, 1.0, 2.0),
            "surface": grid, "classes": 3, "unit_xs": (0.0, 1.0), "unit_ys": (0.0, 1.0), "units": units,
            "points": ((0.5, 0.5, 0, "train"), (1.5, 1.0, 2, "val")), "x_label": x_label, "y_label": y_label,
            "plane": plane, "during": True}


def test_the_axes_name_the_plane_and_user_text_is_escaped():
    labels = ("PC1 (72% of variance)", "PC2 (24% of variance)")
    pca = figures.decision_boundary(_boundary("pca", *labels), ["a", "b", "c"])
    assert pca.layout.title.text == "Decision boundary during epoch 7 (predicted class)"
    assert (pca.layout.xaxis.title.text, pca.layout.yaxis.title.text) == labels
    assert [t.name for t in pca.data[1:]] == ["a (train)", "c (validation)"] and list(pca.data[2].x) == [1.5]
    two = _boundary("features", "<b>size</b>", "weight")
    fig = figures.decision_boundary(two)
    assert fig.layout.xaxis.title.text == "&lt;b&gt;size&lt;/b&gt; (model input)"
    assert boundary_view.caption(two) == ("Over \\<b\\>size\\<\\/b\\> and weight as the model takes them (after "
                                          "preprocessing); every other input is held at its median over the "
                                          "training rows.")
    assert "principal components" in boundary_view.caption(_boundary("pca", "", ""))
    assert boundary_view.caption(_boundary("input", "x1", "x2")) is None


def test_hidden_units_one_column_per_layer_each_unit_a_tile_in_its_own_range():
    b = _boundary("pca", "", "")
    b["units"] = ((1, 0, ((0.0, 1.0), (2.0, 3.0))), (1, 1, ((5.0, 5.0), (5.0, 5.0))), (3, 0, ((-1.0, 0.0), (0.0, 1.0))))
    fig = figures.hidden_units(b)
    assert len(fig.data) == 1 and [a.text for a in fig.layout.annotations] == ["hidden layer 1", "hidden layer 2"]
    colour, value = np.asarray(fig.data[0].z), np.asarray(fig.data[0].customdata)
    assert colour.shape == (2 * 3 - 1, 2 * 3 - 1) and np.isnan(colour[2]).all() and np.isnan(colour[:, 2]).all()
    # layer 1 unit 1 top left, its top row the plane's highest y; scaled to [0, 1], hover shows the value
    np.testing.assert_allclose(value[:2, :2], [[2.0, 3.0], [0.0, 1.0]])
    np.testing.assert_allclose(colour[:2, :2], [[2 / 3, 1.0], [0.0, 1 / 3]])
    np.testing.assert_allclose(colour[3:, :2], 0.5)  # a constant unit: the middle colour
    np.testing.assert_allclose(value[:2, 3:], [[0.0, 1.0], [-1.0, 0.0]])  # layer 2 in the second column
    assert np.isnan(colour[3:, 3:]).all()  # layer 2 has one unit

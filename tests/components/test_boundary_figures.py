"""The decision boundary's figures and caption name the plane they show, escaped, and lay every hidden unit out."""

from __future__ import annotations

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


def test_hidden_units_one_column_per_layer_each_unit_on_its_own_axes():
    fig = figures.hidden_units(_boundary("pca", "", ""))
    assert len(fig.data) == 16 and len({(t.xaxis, t.yaxis) for t in fig.data}) == 16
    assert [a.text for a in fig.layout.annotations] == ["hidden layer 1", "hidden layer 2"]
    first, ninth = fig.layout.xaxis.domain, fig.layout["xaxis9"].domain
    assert first[1] < ninth[0]  # the second layer's column is right of the first's
    tops = [fig.layout["yaxis" + (str(k) if k > 1 else "")].domain[1] for k in range(1, 9)]
    assert tops == sorted(tops, reverse=True) and tops[0] == 1.0  # unit 1 on top, then down

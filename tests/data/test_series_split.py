"""A series is split by time: train, then val, then test; every target stays in its part; the windows
are the raw steps; the normalization is fit on the training steps only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from studio.data.series import series_table
from studio.data.series_windows import anchors, cut_steps
from studio.inputs.series import SeriesInput, SeriesNormalize
from studio.prepared import prepare
from studio.recipe import Recipe, SeriesConfig, SplitConfig


def _table(n: int = 100, window: int = 5, horizon: int = 2, task: str = "forecast"):
    frame = pd.DataFrame({"t": np.arange(n), "a": np.arange(n, dtype=float) * 10, "y": np.arange(n, dtype=float)})
    if task == "classify":
        frame["y"] = np.where(np.arange(n) % 4 < 2, "up", "down")
    return series_table(frame, SeriesConfig(time="t", window=window, horizon=horizon if task == "forecast" else 1,
                                            task=task, columns=["a"] if task == "classify" else None), "y", "toy")


@pytest.mark.parametrize(("window", "horizon"), [(5, 1), (5, 3), (1, 1), (12, 4)])
def test_the_split_is_in_time_order_and_no_target_crosses_a_boundary(window, horizon) -> None:
    from studio.data import split_table

    table = _table(window=window, horizon=horizon)
    split = SplitConfig(train=0.6, val=0.2, test=0.2)
    splits = split_table(table, split, seed=123)
    parts = cut_steps(100, split)
    assert parts.train == (0, 60) and parts.val == (60, 80) and parts.test == (80, 100)
    for name, frame in (("train", splits.train), ("val", splits.val), ("test", splits.test)):
        start, end = getattr(parts, name)
        ends = frame.index.to_numpy()
        assert (np.diff(ends) == 1).all()  # in order, nothing shuffled, nothing skipped
        assert ends.min() - window + 1 >= 0
        targets = ends[:, None] + np.arange(1, horizon + 1)
        assert targets.min() >= start and targets.max() < end  # every forecast step inside its part
        assert ends.min() - window + 1 >= max(start - window, 0)  # a window looks back at most one window
    # every step of val and test is forecast by some window: no step is lost at a boundary
    assert len(splits.val) == 20 - horizon + 1 and len(splits.test) == 20 - horizon + 1
    assert splits.train.index.max() < splits.val.index.min() <= splits.val.index.max() < splits.test.index.min()


def test_the_split_does_not_depend_on_the_seed() -> None:
    from studio.data import split_table

    table = _table()
    a, b = split_table(table, SplitConfig(), 0), split_table(table, SplitConfig(), 99)
    assert a.train.index.equals(b.train.index) and a.test.index.equals(b.test.index)


def test_classify_windows_take_the_label_of_their_last_step() -> None:
    table = _table(task="classify")
    assert anchors((0, 60), 5, 0).tolist() == list(range(4, 60))
    assert anchors((60, 80), 5, 0).tolist() == list(range(60, 80))
    np.testing.assert_array_equal(table.y(table.frame.iloc[[4, 5, 6]]),
                                  [table.class_labels.index(v) for v in table.frame["y"].iloc[[4, 5, 6]]])


def test_windows_are_the_raw_steps_and_targets_the_next_values() -> None:
    recipe = Recipe.from_dict({"data": {"source": "builtin:sunspots",
                                        "series": {"time": "year", "window": 6, "horizon": 3}}})
    p = prepare(recipe)
    values = p.table.frame["sunspots"].to_numpy()
    x, y = p.x_test["series"], p.y_test
    end = int(p.splits.test.index[0])
    assert x.dtype == np.float32 and x.shape == (len(p.splits.test), 6, 1)
    np.testing.assert_allclose(x[0, :, 0], values[end - 5:end + 1])
    np.testing.assert_allclose(y[0], values[end + 1:end + 4])
    assert p.n_outputs == 3 and p.in_shapes == [("series", (6, 1))]


def test_the_normalization_is_fit_on_training_steps_only() -> None:
    table = _table(n=100, window=5, horizon=1)
    from studio.data import split_table

    splits = split_table(table, SplitConfig(train=0.6, val=0.2, test=0.2), 0)
    fitted = SeriesInput.fit(table, splits.train)
    train_steps = table.frame.iloc[:60]
    np.testing.assert_allclose(fitted.mean, [train_steps["a"].mean(), train_steps["y"].mean()])
    np.testing.assert_allclose(fitted.std, [train_steps["a"].std(ddof=0), train_steps["y"].std(ddof=0)])
    changed = table.frame.copy()
    changed.loc[60:, ["a", "y"]] = 1e6  # val and test values change nothing
    table.frame = changed
    again = SeriesInput.fit(table, splits.train)
    assert again.mean == fitted.mean and again.std == fitted.std


def test_the_front_standardizes_each_series() -> None:
    front = SeriesNormalize([1.0, 10.0], [2.0, 5.0])
    x = torch.tensor([[[3.0, 20.0], [1.0, 5.0]]])  # (1, 2 steps, 2 series)
    torch.testing.assert_close(front(x), torch.tensor([[[1.0, 2.0], [0.0, -1.0]]]))


def test_the_network_hands_the_blocks_every_step_as_real() -> None:
    """The front's output becomes Seq(x, all-true mask) before the first block (the blocks' ToSeq)."""
    from studio.prepared import build_model

    recipe = Recipe.from_dict({"data": {"source": "builtin:sunspots"}, "model": [{"kind": "lstm", "hidden": 4}]})
    p = prepare(recipe)
    model = build_model(recipe, p).eval()
    seen = []
    first_block = next(m for m in model.modules() if type(m).__name__ == "ToSeq")
    first_block.register_forward_hook(lambda _m, _i, out: seen.append(out))
    with torch.inference_mode():
        model(torch.from_numpy(p.x_test["series"][:3]))
    assert seen and tuple(seen[0].mask.shape) == (3, 20) and bool(seen[0].mask.all())


def test_a_series_input_round_trips_through_json() -> None:
    from studio.inputs import input_from_dict

    fitted = SeriesInput.fit(_table(), _table().frame.iloc[4:60])
    again = input_from_dict(fitted.to_dict())
    assert isinstance(again, SeriesInput) and again == fitted


def test_future_times_continue_a_regular_series() -> None:
    from studio.data.series import SeriesInfo
    from studio.data.series_rows import future_times

    info = SeriesInfo(("v",), 2, 2, "forecast", "v", "t")
    assert future_times(pd.DataFrame({"t": [1998, 1999, 2000]}), info, 2) == [2001, 2002]
    days = pd.DataFrame({"t": ["2024-02-27", "2024-02-28", "2024-02-29"]})
    assert future_times(days, info, 2) == ["2024-03-01", "2024-03-02"]
    months = pd.DataFrame({"t": ["2023-11-30", "2023-12-30", "2024-01-30"]})
    assert future_times(months, info, 2) == ["2024-02-29", "2024-03-30"]
    assert future_times(pd.DataFrame({"t": [1, 2, 4]}), info, 2) is None  # irregular: no times made up


def test_a_model_that_cannot_read_windows_gets_the_lstm() -> None:
    from studio.inputs.series import SERIES_MODEL, model_for_series

    dense = [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"}]
    assert model_for_series(dense, (20, 1)) == SERIES_MODEL
    assert model_for_series([{"kind": "flatten"}, *dense], (20, 1)) is None
    assert model_for_series([{"kind": "conv1d", "filters": 8, "kernel_size": 3}, {"kind": "seq_pool"}], (20, 1)) is None

"""Series data: data.series checked when the Recipe is made, a CSV of steps read in time order, bad input
in one sentence, the built-in series, and the Data page's plot data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from studio.data import describe_datasets, load_table
from studio.data.series_view import series_view
from studio.errors import DataError, RecipeError
from studio.recipe import Recipe


def _data(source: str, **series) -> dict:
    return {"source": source, "target": "sales", "series": {"time": "date", "window": 4, **series}}


def _csv(tmp_path: Path, frame: pd.DataFrame, name: str = "steps.csv") -> str:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return f"csv:{path}"


def _steps(n: int = 40) -> pd.DataFrame:
    t = np.arange(n)
    return pd.DataFrame({"date": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
                         "temp": (10 + np.sin(t / 3)).round(3), "sales": (100 + t + 5 * np.sin(t)).round(3)})


def _load(tmp_path: Path, frame: pd.DataFrame, **series):
    recipe = Recipe.from_dict({"data": _data(_csv(tmp_path, frame), **series)})
    return load_table(recipe.data)


@pytest.mark.parametrize(("series", "location", "words"), [
    ({"window": 0}, ("data", "series", "window"), "greater than or equal to 1"),
    ({"horizon": 3, "task": "classify"}, ("data", "series", "horizon"), "set horizon to 1"),
    ({"columns": []}, ("data", "series", "columns"), "at least one series"),
    ({"columns": ["temp", "temp"]}, ("data", "series", "columns"), "twice"),
    ({"columns": ["date"]}, ("data", "series", "columns"), "time column"),
    ({"time": "sales"}, ("data", "series", "time"), "is the target"),
    ({"period": 7}, ("data", "series", "period"), "unknown field"),
])
def test_bad_series_settings_are_recipe_errors_at_their_field(series, location, words) -> None:
    with pytest.raises(RecipeError) as err:
        Recipe.from_dict({"data": {"source": "csv:x.csv", "target": "sales",
                                   "series": {"time": "date", **series}}})
    assert err.value.location == location
    assert words in str(err.value)


@pytest.mark.parametrize(("data", "location"), [
    ({"features": ["temp"]}, ("data", "features")),
    ({"task": "classification"}, ("data", "task")),
    ({"source": "images:pictures"}, ("data", "series")),
])
def test_series_and_what_it_cannot_go_with(data, location) -> None:
    with pytest.raises(RecipeError) as err:
        Recipe.from_dict({"data": {**_data("csv:x.csv"), **data}})
    assert err.value.location == location


def test_a_csv_of_steps_becomes_a_table_of_series(tmp_path) -> None:
    table = _load(tmp_path, _steps())
    assert table.task == "regression" and table.series.columns == ("temp", "sales")  # the target's past last
    assert table.features == ["temp"] and table.column_types == {"temp": "series"}
    assert list(table.frame.columns) == ["date", "temp", "sales"]
    assert table.series.time_kind == "date" and table.series.step == 86_400.0
    assert not any("irregular" in n or "sorted" in n or "filled" in n for n in table.notes)


def test_unsorted_steps_are_sorted_with_a_note(tmp_path) -> None:
    frame = _steps()
    table = _load(tmp_path, frame.sample(frac=1.0, random_state=0))
    assert table.frame["date"].tolist() == frame["date"].tolist()
    assert table.frame["sales"].tolist() == frame["sales"].tolist()
    assert any("sorted the rows by 'date'" in n for n in table.notes)


def test_irregular_steps_are_read_in_order_with_a_note(tmp_path) -> None:
    frame = _steps().drop(index=[5, 6, 20]).reset_index(drop=True)
    table = _load(tmp_path, frame)
    assert table.series.step is None
    assert any("irregular (from 1 days to 3 days apart)" in n and "resample" in n for n in table.notes)


def test_calendar_months_are_regular(tmp_path) -> None:
    frame = _steps(30).assign(date=pd.date_range("2020-01-01", periods=30, freq="MS").strftime("%Y-%m-%d"))
    assert not any("irregular" in n for n in _load(tmp_path, frame).notes)


def test_missing_values_are_interpolated_with_a_note_or_refused(tmp_path) -> None:
    frame = _steps()
    frame.loc[[3, 4], "temp"] = np.nan
    table = _load(tmp_path, frame)
    expected = frame["temp"][2] + (frame["temp"][5] - frame["temp"][2]) * np.array([1, 2]) / 3
    np.testing.assert_allclose(table.frame["temp"][[3, 4]], expected)
    assert "filled 2 missing values of 'temp' linearly between neighbouring steps" in table.notes
    with pytest.raises(DataError, match=r"'temp' has 2 missing values \(the first at row 4\); fill them, or set "
                                        "data.series.missing to interpolate"):
        _load(tmp_path, frame, missing="refuse")


@pytest.mark.parametrize(("change", "series", "message"), [
    (lambda f: f.assign(temp="warm"), {"columns": ["temp", "sales"]},
     "the series column 'temp' holds text (e.g. 'warm'), not numbers; a series must be numeric"),
    (lambda f: f.assign(temp=f["temp"].astype(object).where(f.index != 7, "n/a?")), {},
     "the series column 'temp' has 1 value that is not numbers, e.g. 'n/a?' (row 8)"),
    (lambda f: f.assign(date=f["date"].where(f.index != 2, "someday")), {},
     "the time column 'date' has 1 value that is not dates or numbers, e.g. 'someday' (row 3)"),
    (lambda f: f.assign(date=f["date"].where(f.index != 9, f["date"][8])), {},
     "appears 2 times in column 'date'; a series needs one row per step"),
    (lambda f: f.head(4), {}, "has 4 steps, but a window of 4 plus a horizon of 1 needs at least 5"),
    (lambda f: f.head(12), {}, "leaves 4 training and 2 test windows of 4 steps"),
    (lambda f: f, {"columns": ["price"]}, "data.series.columns lists 'price', which is not a column"),
    (lambda f: f, {"time": "when"}, "data.series.time 'when' is not a column"),
])
def test_bad_series_data_is_one_sentence(tmp_path, change, series, message) -> None:
    from studio.prepared import prepare

    recipe = Recipe.from_dict({"data": _data(_csv(tmp_path, change(_steps())), **series)})
    with pytest.raises(DataError) as err:
        prepare(recipe)
    assert message in str(err.value)
    assert len(str(err.value)) <= 300 and "\n" not in str(err.value)


def test_a_text_column_is_left_out_of_the_default_series(tmp_path) -> None:
    table = _load(tmp_path, _steps().assign(shop="north"))
    assert table.series.columns == ("temp", "sales") and table.dropped == {"shop": "not a number series"}


def test_row_order_without_a_time_column(tmp_path) -> None:
    frame = _steps().drop(columns=["date"])
    table = _load(tmp_path, frame, time=None)
    assert table.series.time is None and list(table.frame.columns) == ["temp", "sales"]


def test_classify_windows_by_the_label_at_their_last_step(tmp_path) -> None:
    frame = _steps().assign(state=lambda f: np.where(np.arange(40) % 10 < 5, "calm", "busy"))
    recipe = Recipe.from_dict({"data": {"source": _csv(tmp_path, frame), "target": "state",
                                        "series": {"time": "date", "window": 4, "task": "classify"}}})
    table = load_table(recipe.data)
    assert table.task == "classification" and table.class_labels == ["busy", "calm"]
    assert table.series.columns == ("temp", "sales")  # the label is never an input


def test_builtin_series_are_listed_and_load_offline() -> None:
    rows = {d["name"]: d for d in describe_datasets()}
    assert rows["sunspots"]["rows"] == 309 and rows["sunspots"]["task"] == "regression"
    assert rows["sunspots"]["series"] and not rows["iris"]["series"]
    assert rows["seasonal"]["rows"] == 240 and rows["seasonal"]["features"] == 2
    sun = load_table(Recipe.from_dict({"data": {"source": "builtin:sunspots"}}).data)
    assert sun.frame["year"].iloc[0] == 1700 and sun.series.window == 20
    mine = load_table(Recipe.from_dict({"data": {"source": "builtin:sunspots",
                                                 "series": {"time": "year", "window": 11, "horizon": 5}}}).data)
    assert (mine.series.window, mine.series.horizon) == (11, 5)


def test_the_generated_series_is_seeded() -> None:
    def demand(seed: int) -> np.ndarray:
        data = Recipe.from_dict({"data": {"source": "builtin:seasonal", "seed": seed}}).data
        return load_table(data).frame["demand"].to_numpy()

    np.testing.assert_array_equal(demand(3), demand(3))
    assert not np.array_equal(demand(3), demand(4))


def test_series_view_marks_the_split_boundaries() -> None:
    recipe = Recipe.from_dict({"data": {"source": "builtin:sunspots"}})
    view = series_view(load_table(recipe.data), recipe.data.split)
    assert view.x == "year" and view.series == ["sunspots"]
    assert [b["part"] for b in view.boundaries] == ["val", "test"]
    assert view.boundaries[1] == {"part": "test", "x": 1962.0, "step": 263}
    assert view.frame["part"].value_counts().to_dict() == {"train": 215, "val": 47, "test": 47}
    assert view.parts["test"] == {"first": 1962.0, "last": 2008.0, "steps": 47}


def test_what_loading_decided_says_the_windows() -> None:
    from studio.data.decided import describe_table

    lines = describe_table(load_table(Recipe.from_dict({"data": {"source": "builtin:seasonal"}}).data))
    assert lines[1] == ("series (2): 'temperature', 'demand' (the target's past); windows of 24 steps by 'month' "
                        "-> the next 3 values of 'demand'")


def test_a_csv_of_dated_rows_is_suggested_as_a_series() -> None:
    from studio.data.series_suggest import suggest_series

    steps = _steps(60)
    assert suggest_series(steps, "sales") == {"time": "date", "window": 7, "horizon": 1, "columns": None,
                                              "task": "forecast", "missing": "interpolate"}
    monthly = steps.assign(date=pd.date_range("2000-01-01", periods=60, freq="MS").strftime("%Y-%m-%d"))
    assert suggest_series(monthly.sample(frac=1.0, random_state=1), "sales")["window"] == 12
    years = pd.DataFrame({"year": range(1900, 2000), "rain": np.arange(100.0)})
    assert suggest_series(years, "rain") == {**suggest_series(steps, "sales"), "time": "year", "window": 10}
    assert suggest_series(steps.drop(columns=["date"]), "sales") is None  # no time column
    assert suggest_series(steps.assign(date="2024-01-01"), "sales") is None  # one date for every row
    assert suggest_series(steps.head(10), "sales") is None  # too short to be worth it


def test_one_series_to_forecast_is_its_own_target(tmp_path) -> None:
    data = {"source": _csv(tmp_path, _steps()), "series": {"time": "date", "window": 4, "columns": ["sales"]}}
    table = load_table(Recipe.from_dict({"data": data}).data)
    assert table.series.target == "sales" and table.series.columns == ("sales",)
    two = {**data, "series": {**data["series"], "columns": ["sales", "temp"]}}
    with pytest.raises(DataError, match=r"needs a target column in data\.target"):
        load_table(Recipe.from_dict({"data": two}).data)

"""Engine calls the pages make on every rerun, cached by the content of the recipe part they read.

``st.cache_data`` is shared by all sessions, so only immutable results of pure functions are cached
here, keyed by JSON of the recipe part: two people asking for the same built-in dataset share the
result, while an uploaded CSV lives in its session's own folder, so its path (the key) is private.
Errors are not cached: a StudioError is raised again on every call, for the page to show.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from studio.blocks import ModelSummary, summarize
from studio.data import Table, describe_datasets, load_table
from studio.data.csv_reader import parse_options, read_csv
from studio.pipeline import Prepared, prepare
from studio.recipe import DataConfig, Recipe


def _key(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


@st.cache_data(show_spinner=False)
def datasets() -> list[dict[str, Any]]:
    """The built-in datasets' rows (name, task, rows, features, description)."""
    return describe_datasets()


@st.cache_data(show_spinner=False, max_entries=16)
def _csv_columns(path: str, options_json: str) -> list[str]:
    frame, _ = read_csv(path, parse_options(json.loads(options_json)))
    return [str(c) for c in frame.columns]


def csv_columns(path: str, options: dict[str, Any]) -> list[str]:
    """The header of a CSV file as the studio reads it (for choosing the target before loading)."""
    return _csv_columns(path, _key(options))


@st.cache_data(show_spinner="Loading the data...", max_entries=32)
def _table(data_json: str) -> Table:
    return load_table(DataConfig.model_validate_json(data_json))


def table(recipe: Recipe) -> Table:
    """The recipe's dataset, loaded and typed (:func:`studio.data.load_table`)."""
    return _table(_key(recipe.data.model_dump(mode="json")))


@st.cache_data(show_spinner="Preparing the data...", max_entries=16)
def _prepared(part_json: str) -> Prepared:
    return prepare(Recipe.from_dict(json.loads(part_json)))


def prepared(recipe: Recipe) -> Prepared:
    """Split and preprocessed data (:func:`studio.pipeline.prepare`); depends on data + preprocessing only.

    The cached value's ``recipe`` holds only those two sections; use the draft for anything else.
    """
    part = {"data": recipe.data.model_dump(mode="json"), "preprocessing": recipe.preprocessing}
    return _prepared(_key(part))


@st.cache_data(show_spinner=False, max_entries=64)
def _summary(blocks_json: str, in_shape: tuple[int, ...], n_outputs: int) -> ModelSummary:
    return summarize(json.loads(blocks_json), in_shape, n_outputs)


def model_summary(recipe: Recipe) -> ModelSummary:
    """Per-block shapes, parameters and MACs for the recipe's model; ShapeError if it cannot be built."""
    prep = prepared(recipe)
    return _summary(_key(recipe.model), tuple(prep.in_shape), int(prep.n_outputs))

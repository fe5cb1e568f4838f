"""Data: built-in datasets, CSV reading with clear errors, and the train/val/test split.

Public API: ``DATASETS``, ``load_table``, ``split_table``, ``Splits``, ``Table``, ``describe_datasets``.
"""

from studio.data import builtin, reviews, series_sets, synthetic  # noqa: F401  (fill DATASETS)
from studio.data.datasets import DATASETS, describe_datasets
from studio.data.images import shapes_dataset  # noqa: F401
from studio.data.load import load_table
from studio.data.split import Splits, split_table
from studio.data.table import Table

__all__ = ["DATASETS", "Splits", "Table", "describe_datasets", "load_table", "split_table"]

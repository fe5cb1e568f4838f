"""Numbers the model cannot hold: values beyond float32, which it computes in.

1e39 or 1e308 is a valid float64, but becomes infinity in float32; the studio would then read it as
missing and impute it, a silent made-up value. A column holding one is refused, naming the column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from studio.data.columns import column_chunks
from studio.errors import DataError, plain, quote

FLOAT32_MAX = float(np.finfo(np.float32).max)  # about 3.4e38


def check_feature_ranges(frame: pd.DataFrame, numeric: list[str]) -> None:
    """A DataError naming the first numeric column of ``frame`` with a finite value beyond float32."""
    hits: list[tuple[str, float]] = []  # (column, its first value beyond float32)
    for part in column_chunks(frame, numeric):  # a few columns at a time: no float64 copy of them all
        values = frame[part].to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            big = (np.abs(values) > FLOAT32_MAX) & np.isfinite(values)  # (n, k)
        hits += [(part[i], values[big[:, i], i][0]) for i in np.flatnonzero(big.any(axis=0))]
    if not hits:
        return
    name, value = hits[0]
    more = f" (and {len(hits) - 1} other columns)" if len(hits) > 1 else ""
    raise DataError(
        f"column {quote(name)}{more} holds {plain(value)}, beyond the ±3.4e38 that the model's 32-bit floats "
        "hold; rescale it (divide it, or take its log) or set it to 'ignore' in data.columns."
    )


def check_target_range(name: str, values: pd.Series) -> None:
    """A regression target is scaled, then trained in float32: refuse values beyond float32."""
    finite = values.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = finite[np.isfinite(finite)]
    big = finite[np.abs(finite) > FLOAT32_MAX]
    if len(big):
        raise DataError(
            f"target {quote(name)} holds {plain(big[0])}, beyond the ±3.4e38 that the model's 32-bit floats "
            "hold; rescale it (divide it, or take its log) before training."
        )

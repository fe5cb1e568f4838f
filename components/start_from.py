""""Start from run…" on the Train page: fine-tune the draft from one of this browser's runs
(``training.init_from``, ``freeze``, ``pretrained_lr_factor``; :mod:`studio.train.finetune`).

Only runs this session may list are offered (its own, or all on a shared-runs server), so a
student never loads another's weights by typing a path.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components import state
from components.safe import md
from components.settings import runs_dir
from studio.runs import list_runs

SCRATCH = "— none: start from random weights —"
KEY = "train.start_from"


def _apply(**changes: Any) -> None:
    training = state.get_recipe().training.model_dump()
    training.update(changes)
    if training.get("init_from") is None:
        training.update(freeze=None, pretrained_lr_factor=1.0)
    state.try_update(KEY, training=training)


def _pick() -> None:
    if state.widgets_gone(f"{KEY}.run"):
        return
    chosen = st.session_state[f"{KEY}.run"]
    _apply(init_from=None if chosen == SCRATCH else chosen)


def _freeze() -> None:
    if state.widgets_gone(f"{KEY}.freeze"):
        return
    _apply(freeze=int(st.session_state[f"{KEY}.freeze"]) or None)


def _factor() -> None:
    if state.widgets_gone(f"{KEY}.factor"):
        return
    _apply(pretrained_lr_factor=float(st.session_state[f"{KEY}.factor"]))


def section() -> None:
    training = state.get_recipe().training
    runs = {str(r.path): f"{r.name} · {r.path.name} · {r.status}" for r in list_runs(runs_dir(), state.runs_user())
            if r.status in ("completed", "early_stopped", "stopped", "interrupted")}
    options = [SCRATCH, *runs]
    current = training.init_from if training.init_from in runs else SCRATCH
    st.selectbox("Start from run…", options, index=options.index(current), key=f"{KEY}.run", on_change=_pick,
                 format_func=lambda o: o if o == SCRATCH else runs[o],
                 help="Fine-tune: load a run's weights, matched block by block by position and shape; the head "
                      "is new when the classes differ. Train then says what was loaded, skipped and frozen.")
    if training.init_from is not None and training.init_from not in runs:
        st.warning(md(f"The draft starts from {training.init_from}, which is not one of your runs here; "
                      "choose a run above."))
    if current != SCRATCH:
        left, right = st.columns(2)
        frozen = training.freeze if isinstance(training.freeze, int) else 0
        left.number_input("Freeze the first blocks", min_value=0, max_value=max(len(state.get_recipe().model), 0),
                          value=frozen, step=1, key=f"{KEY}.freeze", on_change=_freeze,
                          help="These blocks keep the loaded weights; the others and the head learn.")
        right.slider("Learning rate of loaded weights (share)", 0.01, 1.0, float(training.pretrained_lr_factor),
                     0.01, key=f"{KEY}.factor", on_change=_factor,
                     help="1: all weights learn at the optimizer's rate; 0.1: loaded weights move 10x slower "
                          "than new ones.")
    error = state.widget_error(KEY)
    if error:
        st.error(md(error))

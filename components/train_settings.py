"""The Train page's settings: optimizer, schedule (with a learning-rate preview), regularization, training.

Every field is drawn by the generic form (:func:`components.forms.render_params`) from its pydantic
model, and every edit goes through :func:`components.state.update_recipe`, so the bounds, defaults
and messages are the Recipe's own. Menus of kinds are ``list(OPTIMIZERS)`` / ``list(SCHEDULES)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st
from pydantic import BaseModel, create_model

from components import augmentation, engine, forms, how_it_works, items, lesson_state, state
from components.figures import lr_preview
from components.safe import md
from studio.errors import StudioError
from studio.explanations import LOSSES, REGULARIZATION
from studio.recipe import Augmentation, EarlyStopping, Regularization, TrainingConfig
from studio.registry import Registry
from studio.train.device import describe_device, resolve_device
from studio.train.losses import AUTO_LOSSES
from studio.train.optimizers import OPTIMIZERS
from studio.train.schedules import SCHEDULES, lr_curve
from studio.train.threads import policy_threads, usable_cores

W = state.WIDGET_PREFIX
PREVIEW_STEPS = 20_000  # a per-batch schedule is previewed on at most this many steps
_SWITCHES = {"early_stopping": EarlyStopping, "augmentation": Augmentation}  # optional sub-sections
_BASIC = [n for n in Regularization.model_fields if n not in _SWITCHES]
# The plain fields of Regularization, as a model of their own so the generic form draws just them.
RegularizationBasics: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "RegularizationBasics", **{n: (Regularization.model_fields[n].annotation, Regularization.model_fields[n])
                               for n in _BASIC})


def _kinded_setter(section: str) -> Callable[[str, Any], None]:
    def apply(field: str, value: Any) -> None:
        current = getattr(state.get_recipe(), section)
        state.update_recipe(reset_widgets=False, **{section: {**current, field: value}})

    return apply


def _model_setter(section: str, sub: str | None = None) -> Callable[[str, Any], None]:
    """Setter of one field of a pydantic section (``training``) or of its sub-section (``early_stopping``)."""

    def apply(field: str, value: Any) -> None:
        whole = getattr(state.get_recipe(), section).model_dump(mode="json")
        if sub is None:
            whole[field] = value
        else:
            whole[sub] = {**(whole.get(sub) or {}), field: value}
        state.update_recipe(reset_widgets=False, **{section: whole})

    return apply


def _pick_kind(section: str, registry: Registry[Any], key: str) -> None:
    if state.widgets_gone(key):
        return
    kind = st.session_state[key]
    state.try_update(key, reset_widgets=True, **{section: items.default_item(registry, kind)})


def _kind_form(section: str, registry: Registry[Any], title: str) -> None:
    value = getattr(state.get_recipe(), section)
    key = f"{W}train.{section}.kind"
    kinds = list(registry)
    state.seed_widget(key, value["kind"])
    st.selectbox(forms.marked(title, f"{section}.kind"), kinds, key=key, on_change=_pick_kind,
                 args=(section, registry, key), format_func=lambda k: f"{k}: {registry[k].description}",
                 disabled=lesson_state.is_locked(f"{section}.kind"))
    forms.lock_note(f"{section}.kind")
    forms.render_params(registry[value["kind"]].params, value, f"train.{section}.{value['kind']}",
                        _kinded_setter(section), path=section)
    how_it_works.box(registry[value["kind"]].explain, value["kind"], paths=[section])


def optimizer() -> None:
    _kind_form("optimizer", OPTIMIZERS, "Optimizer")


@st.cache_data(show_spinner=False, max_entries=64)
def _curve(schedule_json: str, base_lr: float, epochs: int, steps: int) -> list[float]:
    return lr_curve(json.loads(schedule_json), base_lr, epochs, steps)


def _steps_per_epoch() -> int:
    try:
        return engine.steps_per_epoch(state.get_recipe())
    except StudioError:
        return 1


def schedule() -> None:
    _kind_form("schedule", SCHEDULES, "Learning-rate schedule")
    recipe = state.get_recipe()
    epochs = recipe.training.epochs
    steps = min(_steps_per_epoch(), max(1, PREVIEW_STEPS // epochs))
    try:
        curve = _curve(json.dumps(recipe.schedule, sort_keys=True), float(recipe.optimizer.get("lr", 1e-3)),
                       epochs, steps)
    except StudioError as err:
        st.error(md(err))
        return
    st.plotly_chart(lr_preview(curve, recipe.schedule["kind"]), key="train.lr_preview")


def _toggle(name: str, key: str) -> None:
    if state.widgets_gone(key):
        return
    whole = state.get_recipe().regularization.model_dump(mode="json")
    whole[name] = _SWITCHES[name]().model_dump(mode="json") if st.session_state[key] else None
    state.try_update(key, reset_widgets=True, regularization=whole)


def regularization() -> None:
    reg = state.get_recipe().regularization
    forms.render_params(RegularizationBasics, reg.model_dump(mode="json"), "train.regularization",
                        _model_setter("regularization"), path="regularization")
    explained = [n for n in _BASIC if n in REGULARIZATION]
    how_it_works.several(REGULARIZATION, explained, "the settings above",
                         paths=[f"regularization.{n}" for n in explained])
    for name, params in _SWITCHES.items():
        value = getattr(reg, name)
        key = f"{W}train.regularization.{name}.on"
        path = f"regularization.{name}"
        state.seed_widget(key, value is not None)
        st.checkbox(forms.marked(name.replace("_", " ").capitalize(), path), key=key,
                    on_change=_toggle, args=(name, key), help=params.__doc__, disabled=lesson_state.is_locked(path))
        forms.lock_note(path)
        if value is not None and name == "augmentation":  # its options depend on the data's inputs
            augmentation.form(value.model_dump(mode="json"), _model_setter("regularization", name))
        elif value is not None:
            forms.render_params(params, value.model_dump(mode="json"), f"train.regularization.{name}",
                                _model_setter("regularization", name), path=path)
        how_it_works.box(REGULARIZATION.get(name), name.replace("_", " "), paths=[path])


def training() -> None:
    cfg = state.get_recipe().training
    forms.render_params(TrainingConfig, cfg.model_dump(mode="json"), "train.training", _model_setter("training"),
                        path="training")
    if cfg.loss == "auto":
        how_it_works.several(LOSSES, AUTO_LOSSES, "the loss (auto: cross_entropy for classification, mse for "
                                                  "regression)", paths=["training.loss"])
    else:
        how_it_works.several(LOSSES, [cfg.loss], f"the loss ({cfg.loss})", paths=["training.loss"])
    cores = usable_cores()
    st.caption(f"`auto` trains on **{device_name()}** here; precision `auto` means bf16 on a GPU that has it, "
               f"else fp32. On the CPU, blank threads means at most {policy_threads(cores, 0.0)} of this "
               f"machine's {cores} cores: one stays free for the app and other programs, and cores they keep "
               "busy when a run starts are left to them.")


@st.cache_resource(show_spinner=False)
def device_name() -> str:
    """The device ``auto`` picks on this machine, with the GPU's name when CUDA is there (the CPU's
    threads are chosen per run, so they are not named here)."""
    device = resolve_device("auto")
    return "cpu" if device.type == "cpu" else describe_device(device)

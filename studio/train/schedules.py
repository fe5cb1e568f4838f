"""The learning-rate schedule registry and :func:`lr_curve`, the preview the UI draws.

Each entry builds a :class:`Schedule` (a torch scheduler plus whether it steps per batch or per
epoch) from ``(params, optimizer, epochs, steps_per_epoch)``. Smooth shapes (cosine with warmup,
one-cycle) step per batch; step/exponential decays and reduce-on-plateau step per epoch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from pydantic import Field
from torch.optim import lr_scheduler

from studio.registry import Explanation, Params, Registry

_SLIDER = {"ui": "slider"}


@dataclass
class Schedule:
    """A built schedule. Call :meth:`after_batch` after each optimizer step, :meth:`after_epoch` after each epoch."""

    scheduler: Any  # an LRScheduler or ReduceLROnPlateau
    per_batch: bool
    needs_metric: bool = False  # reduce_on_plateau: after_epoch needs the monitored loss

    def after_batch(self) -> None:
        if self.per_batch:
            self.scheduler.step()

    def after_epoch(self, monitored_loss: float) -> None:
        if self.per_batch:
            return
        if self.needs_metric:
            self.scheduler.step(monitored_loss)
        else:
            self.scheduler.step()


Builder = Callable[[Any, torch.optim.Optimizer, int, int], Schedule]
SCHEDULES: Registry[Builder] = Registry("schedule")


class ConstantParams(Params):
    pass


@SCHEDULES.register("constant", ConstantParams, "The learning rate stays the same for the whole run.",
                    explain=Explanation(
                        formula=r"\eta_t = \eta_0",
                        words="Every step uses the optimizer's learning rate η₀, from the first epoch to the last.",
                        expect="The simplest choice and a good start. If the loss stalls late in the run at a "
                               "level that a smaller step could go below, a decaying schedule helps."))
def _constant(p: ConstantParams, opt: torch.optim.Optimizer, epochs: int, steps: int) -> Schedule:
    return Schedule(lr_scheduler.LambdaLR(opt, lambda _: 1.0), per_batch=False)


class StepParams(Params):
    step_size: int = Field(10, ge=1, le=10_000, description="Epochs between two reductions.")
    gamma: float = Field(0.5, gt=0.0, lt=1.0, description="Factor applied at each reduction.",
                         json_schema_extra=_SLIDER)


@SCHEDULES.register("step", StepParams, "Multiply the learning rate by gamma every step_size epochs.",
                    explain=Explanation(
                        formula=r"\eta_e = \eta_0\, \gamma^{\lfloor e / s \rfloor}",
                        words="The learning rate keeps its starting value η₀ for s epochs (step_size), then "
                              "is multiplied by γ (gamma), and again every s epochs; e counts epochs from 0.",
                        expect="The loss often drops visibly right after each reduction, then levels off again. "
                               "Too early or too strong a reduction freezes learning before the model is good."))
def _step(p: StepParams, opt: torch.optim.Optimizer, epochs: int, steps: int) -> Schedule:
    return Schedule(lr_scheduler.StepLR(opt, step_size=p.step_size, gamma=p.gamma), per_batch=False)


class ExponentialParams(Params):
    gamma: float = Field(0.95, gt=0.0, lt=1.0, description="Factor applied after every epoch.",
                         json_schema_extra=_SLIDER)


@SCHEDULES.register("exponential", ExponentialParams, "Multiply the learning rate by gamma after every epoch.",
                    explain=Explanation(
                        formula=r"\eta_e = \eta_0\, \gamma^{e}",
                        words="After every epoch the learning rate is multiplied by γ (gamma), so it shrinks "
                              "smoothly and steadily; e counts epochs from 0.",
                        expect="With γ = 0.95 the rate halves about every 14 epochs. A γ far below 1 stops "
                               "learning after a few epochs; watch the preview."))
def _exponential(p: ExponentialParams, opt: torch.optim.Optimizer, epochs: int, steps: int) -> Schedule:
    return Schedule(lr_scheduler.ExponentialLR(opt, gamma=p.gamma), per_batch=False)


class CosineParams(Params):
    warmup_epochs: int = Field(0, ge=0, le=10_000, description="Epochs of linear warmup from near zero.")
    min_lr_ratio: float = Field(0.01, ge=0.0, le=1.0, description="Final learning rate / initial one.",
                                json_schema_extra=_SLIDER)


def cosine_factor(step: int, total: int, warmup: int, floor: float) -> float:
    """Linear warmup over ``warmup`` steps, then a half cosine from 1 down to ``floor`` at ``total``."""
    if step < warmup:
        return (step + 1) / warmup
    span = max(1, total - warmup)
    progress = min(1.0, (step - warmup) / span)
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


@SCHEDULES.register("cosine", CosineParams, "Optional linear warmup, then a cosine decay (per batch).",
                    explain=Explanation(
                        formula=r"""\eta_t = \begin{cases} \eta_0\, \dfrac{t+1}{W} & t < W \\[6pt]
\eta_0 \left[ f + (1-f)\, \tfrac12 \left(1 + \cos \dfrac{\pi (t - W)}{T - W}\right) \right] & t \ge W
\end{cases}""",
                        words="t counts batches, T is the number of batches in the run and W those of the "
                              "warmup (warmup_epochs × batches per epoch). During the warmup the rate climbs in a "
                              "straight line to η₀; then it follows half a cosine wave down to f·η₀ "
                              "(f = min_lr_ratio) at the last batch.",
                        expect="A warmup keeps the first, large and noisy steps from throwing a fresh network "
                               "off course (useful with Adam and batch norm). The slow end lets the loss settle "
                               "into a minimum: the curves usually flatten smoothly in the last epochs."))
def _cosine(p: CosineParams, opt: torch.optim.Optimizer, epochs: int, steps: int) -> Schedule:
    total, warmup = epochs * steps, min(p.warmup_epochs, epochs) * steps
    fn = lambda s: cosine_factor(s, total, warmup, p.min_lr_ratio)  # noqa: E731
    return Schedule(lr_scheduler.LambdaLR(opt, fn), per_batch=True)


class OneCycleParams(Params):
    max_lr_ratio: float = Field(10.0, ge=1.0, le=1000.0, description="Peak learning rate / the optimizer's lr.")
    pct_start: float = Field(0.3, gt=0.0, lt=1.0, description="Share of the run spent rising to the peak.",
                             json_schema_extra=_SLIDER)


@SCHEDULES.register("onecycle", OneCycleParams, "One cycle: rise to a peak, then anneal far below the start.",
                    explain=Explanation(
                        formula=r"""\begin{aligned}
\operatorname{cos\_anneal}(a, b, p) &= b + \tfrac{a - b}{2}\,(1 + \cos \pi p) \\
\eta_t &= \begin{cases} \operatorname{cos\_anneal}\!\left(\frac{\eta_{max}}{25}, \eta_{max}, \frac{t}{P}\right)
 & t \le P \\[4pt]
\operatorname{cos\_anneal}\!\left(\eta_{max}, \frac{\eta_{max}}{25 \cdot 10^4}, \frac{t - P}{T - 1 - P}\right)
 & t > P \end{cases}
\end{aligned}""",
                        words="η_max is the optimizer's learning rate times max_lr_ratio; T is the number of "
                              "batches in the run and P ≈ pct_start·T − 1 the batch of the peak. The rate starts at "
                              "η_max/25, rises along a cosine to η_max, then falls along a cosine to η_max/250,000. "
                              "Where the optimizer has momentum (or Adam's β₁), it moves the opposite way, "
                              "between 0.85 and 0.95.",
                        expect="The high middle phase explores quickly and acts as a regularizer; the long, very "
                               "low end usually gives the best final loss for a fixed number of epochs. If the "
                               "loss blows up near the peak, lower max_lr_ratio."))
def _onecycle(p: OneCycleParams, opt: torch.optim.Optimizer, epochs: int, steps: int) -> Schedule:
    defaults = opt.defaults
    # Cycling momentum needs a momentum (or beta1) to cycle; turning it on for plain SGD would add one.
    cycle = "betas" in defaults or defaults.get("momentum", 0.0) > 0
    base = opt.param_groups[0]["lr"]
    sched = lr_scheduler.OneCycleLR(opt, max_lr=base * p.max_lr_ratio, total_steps=max(1, epochs * steps),
                                    pct_start=p.pct_start, cycle_momentum=cycle)
    return Schedule(sched, per_batch=True)


class PlateauParams(Params):
    factor: float = Field(0.5, gt=0.0, lt=1.0, description="Factor applied when the loss stops improving.",
                          json_schema_extra=_SLIDER)
    patience: int = Field(5, ge=0, le=10_000, description="Epochs without improvement before reducing.")


@SCHEDULES.register("reduce_on_plateau", PlateauParams,
                    "Reduce the learning rate when the validation loss stops improving.",
                    explain=Explanation(
                        formula=r"""\eta_{e+1} = \begin{cases} \eta_e \cdot \text{factor} &
\text{if } L^{val}_e \text{ has not beaten } (1 - 10^{-4})\, L^{val}_{best} \text{ for more than } p \text{ epochs}
\\ \eta_e & \text{otherwise} \end{cases}""",
                        words="After every epoch the validation loss (the training loss without a validation "
                              "split) is compared with the best so far. When it has not improved by at least "
                              "0.01% for more than p (patience) epochs in a row, the learning rate is multiplied "
                              "by factor and the count starts again.",
                        expect="The rate stays high while the model improves and drops only when it is stuck, so "
                               "you will see steps down in the learning-rate column after flat stretches. The "
                               "preview is a flat line, because it cannot know the future losses."))
def _plateau(p: PlateauParams, opt: torch.optim.Optimizer, epochs: int, steps: int) -> Schedule:
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=p.factor, patience=p.patience)
    return Schedule(sched, per_batch=False, needs_metric=True)


def build_schedule(spec: dict[str, Any], optimizer: torch.optim.Optimizer, epochs: int,
                   steps_per_epoch: int) -> Schedule:
    """Build the schedule a recipe's ``schedule`` section describes for this optimizer and run length."""
    params = SCHEDULES.parse(spec, "schedule")
    return SCHEDULES[spec["kind"]].impl(params, optimizer, epochs, max(1, steps_per_epoch))


def lr_curve(schedule: dict[str, Any], base_lr: float, epochs: int, steps_per_epoch: int) -> list[float]:
    """The learning rate at the start of each epoch, from running the real scheduler on a dummy optimizer.

    reduce_on_plateau depends on the losses of the run; the preview assumes they keep improving
    (a flat line).
    """
    weight = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([weight], lr=base_lr, momentum=0.9)
    sched = build_schedule(schedule, opt, epochs, steps_per_epoch)
    steps = max(1, steps_per_epoch)
    curve: list[float] = []
    for epoch in range(epochs):
        curve.append(float(opt.param_groups[0]["lr"]))
        for _ in range(steps if sched.per_batch else 0):
            opt.step()  # keeps torch from warning that the scheduler stepped before the optimizer
            sched.after_batch()
        if not sched.per_batch:
            opt.step()
            sched.after_epoch(1.0 / (epoch + 1))
    return curve

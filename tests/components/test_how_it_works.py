"""The "How it works" boxes: the chosen optimizer's update rule beside it, and one box per block that has one."""

from __future__ import annotations

from studio.blocks import BLOCKS
from studio.explanations import LOSSES, REGULARIZATION
from studio.train.optimizers import OPTIMIZERS
from studio.train.schedules import SCHEDULES
from tests.components.helpers import by_key, clean

W = "w.train."


def _latex(at) -> list[str]:
    return [e.value.removeprefix("$$\n").removesuffix("\n$$") for e in at.latex]  # st.latex wraps in $$


def _titles(at) -> list[str]:
    return [e.label for e in at.expander]


def test_choosing_adam_shows_adams_update_rule(at):
    at.switch_page("app_pages/train.py").run()
    by_key(at.selectbox, f"{W}optimizer.kind").set_value("sgd").run()
    assert OPTIMIZERS["sgd"].explain.formula in _latex(at)
    assert OPTIMIZERS["adam"].explain.formula not in _latex(at)
    by_key(at.selectbox, f"{W}optimizer.kind").set_value("adam").run()
    clean(at)
    assert "How it works: adam" in _titles(at)
    assert OPTIMIZERS["adam"].explain.formula in _latex(at)
    assert OPTIMIZERS["sgd"].explain.formula not in _latex(at)
    by_key(at.selectbox, f"{W}schedule.kind").set_value("cosine").run()
    assert SCHEDULES["cosine"].explain.formula in _latex(at)
    shown = _latex(at)
    for name in ("l1", "l2", "early_stopping"):  # the regularization tab, beside its controls
        assert REGULARIZATION[name].formula in shown
    assert LOSSES["cross_entropy"].formula in shown and LOSSES["mse"].formula in shown  # loss "auto"


def test_blocks_with_an_explanation_show_it_on_the_architecture_page(at):
    at.switch_page("app_pages/architecture.py").run()
    by_key(at.selectbox, "addkind.model").set_value("batchnorm").run()
    by_key(at.button, "add.model").click().run()
    clean(at)
    assert "How it works: batchnorm" in _titles(at)
    assert BLOCKS["batchnorm"].explain.formula in _latex(at)

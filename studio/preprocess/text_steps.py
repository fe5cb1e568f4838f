"""The ``tokenize`` step: how text columns become token ids (see :mod:`studio.text.fit`).

It belongs to the text inputs, not to the table's matrix: the table's fitting skips it (its role
is ``"inputs"``) and :func:`studio.inputs.fit.fit_inputs` fits one tokenizer per text column with
the options of the step that names it (or of a step that names no column, or the defaults).
"""

from __future__ import annotations

from studio.preprocess.base import STEPS, Step
from studio.text.params import TokenizeParams


@STEPS.register("tokenize", TokenizeParams, "Split text columns into word, character or subword tokens.")
class Tokenize(Step):
    role = "inputs"
    params: TokenizeParams

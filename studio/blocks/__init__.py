"""Network blocks: a registry from kind to params schema, shape inference, builder and MAC count.

Every block module is imported here so that its kinds are registered in :data:`BLOCKS` (the
Recipe validates ``model`` through it). Public API: ``BLOCKS``, ``build_model``, ``infer_shapes``,
``summarize`` (see docs/engine-api.md).
"""

# Import order is registration order, which is the order of the UI's block menu.
# isort: off
from studio.blocks import dense, elementwise, norm, conv, separable, pool, shape_ops, residual  # noqa: F401
from studio.blocks import embedding, attention, recurrent, conv1d, sequence_pool  # noqa: F401

# isort: on
from studio.blocks.base import BLOCKS, Block, Shape, Steps, Tokens
from studio.blocks.build import build_model, infer_shapes
from studio.blocks.network import MultiInputNet, build_network, summarize_network
from studio.blocks.sequence_base import Seq
from studio.blocks.summary import BlockRow, ModelSummary, summarize

__all__ = ["BLOCKS", "Block", "BlockRow", "ModelSummary", "MultiInputNet", "Seq", "Shape", "Steps", "Tokens",
           "build_model", "build_network", "infer_shapes", "summarize", "summarize_network"]

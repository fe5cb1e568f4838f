"""Making a trained model smaller: pruning (magnitude and structured)."""

from studio.compress.prune import PruneReport, prune_run

__all__ = ["PruneReport", "prune_run"]

"""Sweeps: search recipe fields with Optuna, trials as local processes or on a Ray cluster (see docs/engine-api.md)."""

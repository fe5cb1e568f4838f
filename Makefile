# The two commands of the README. Each sets everything up first (idempotent), then runs.
.PHONY: studio test lint bench setup

studio:
	./scripts/setup.sh
	.venv/bin/studio app

test:
	./scripts/setup.sh --dev
	.venv/bin/ruff check .
	.venv/bin/python -m pytest

lint:
	.venv/bin/ruff check .

bench:
	.venv/bin/python benchmarks/trainer_overhead.py

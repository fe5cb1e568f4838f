"""From pressing Train to the first point on the loss chart, for the default preset (target <= 1 s).

Two measurements, torch already imported in both:

1. engine: ``Job.start()`` of the Train page's own target (``train_recipe`` with the draft's cached
   preparation, as the page passes it) until the job's snapshot holds its first EpochEnd; the page
   draws it at the next fragment poll, so "+ poll" adds the full polling period (0.8 s, the worst
   case; on average half of it).
2. browser: a real ``streamlit run`` server and headless Chromium on the Train page: from the click
   on Train until the live chart (first trace: the training loss) in the DOM has a point (what a person sees).

    .venv/bin/python benchmarks/ui_first_point.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from ui_browser import button, open_train_page

PRESET = Path(__file__).resolve().parents[1] / "assets" / "recipes" / "breast-cancer-mlp.json"
POLL = 0.8  # components.live.DEFAULT_POLL


def engine_first_point(rounds: int) -> list[float]:
    from components.live import epoch_frame
    from components.train_job import _target
    from studio.data.access import DataAccess
    from studio.pipeline import prepare
    from studio.recipe import load_recipe
    from studio.train.job import Job

    recipe = load_recipe(PRESET)
    prepared = prepare(recipe)  # the page has it cached before Train can be pressed
    times = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as root:
            job = Job(_target(recipe, Path(root), {}, prepared, DataAccess.cli(), ""))
            t0 = time.perf_counter()
            job.start()
            while epoch_frame(job.snapshot().events).empty:
                time.sleep(0.001)
            times.append(time.perf_counter() - t0)
            job.stop()
            job.wait(30)
    return times


def browser_first_point(rounds: int) -> list[float]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.e2e.ui import wait_points

    times = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as root, open_train_page(Path(root)) as page:
            t0 = time.perf_counter()
            button(page, "Train").click()
            wait_points(page, "Training curves (live)", 0, timeout=60)
            times.append(time.perf_counter() - t0)
            with contextlib.suppress(PlaywrightTimeout):  # the preset may have finished already (early stop)
                button(page, "Stop").click(timeout=2000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = engine_first_point(args.rounds)
    e = statistics.median(engine)
    print(f"engine: Job.start -> first EpochEnd, median of {args.rounds}: {e:.3f} s "
          f"(+ poll {POLL} s worst case = {e + POLL:.3f} s)")
    browser = browser_first_point(args.rounds)
    b = statistics.median(browser)
    print(f"browser: click on Train -> first loss point in Chromium, median of {args.rounds}: {b:.3f} s "
          f"(all: {', '.join(f'{t:.3f}' for t in browser)})")
    print("target: <= 1 s")
    print(f"ratio: {b / 1.0:.2f}  (browser time / target; 1 or below meets it)")


if __name__ == "__main__":
    main()

"""`studio sweep`: search recipe fields with Optuna, trials as local processes or on a Ray cluster."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from studio.errors import StudioError, quote


def add_parser(sub: Any, folder_type: Any) -> None:
    s = sub.add_parser("sweep", help="search recipe fields (Optuna TPE, pruning), locally or on a Ray cluster")
    s.add_argument("recipe", help="a recipe JSON file, or the name of a preset (see `studio recipes`)")
    s.add_argument("--space", required=True,
                   help='a JSON file of recipe paths and ranges, e.g. {"optimizer.lr": {"log_uniform": [1e-4, 0.1]}, '
                        '"model.0.units": {"choice": [16, 32, 64]}} (also uniform, int_uniform)')
    s.add_argument("--trials", type=int, required=True, help="how many trials the sweep holds when done")
    s.add_argument("--parallel", type=int, default=1, help="trials at once (default 1)")
    s.add_argument("--ray", default=None, metavar="ADDRESS",
                   help="run the trials through Ray Tune on this cluster (host:port, ray://host:port, auto), "
                        "or `local` to start a Ray on this machine")
    s.add_argument("--out", default=None, type=folder_type,
                   help="the sweep folder (default: sweeps/<recipe name>); the same folder continues a sweep")
    s.add_argument("--pruner", default="median", choices=["median", "asha", "none"],
                   help="stop trials that fall behind at an epoch: median (default), asha (successive halving), none")
    s.add_argument("--seed", type=int, default=0, help="seed of the search (default 0)")
    s.set_defaults(handler=sweep)


def sweep(args: argparse.Namespace) -> int:
    from studio.cli import resolve_recipe_path
    from studio.data.access import DataAccess
    from studio.recipe import load_recipe
    from studio.sweeps.run import SweepSettings, describe_result, run_sweep
    from studio.sweeps.space import SpaceError, space_from_json

    if args.trials < 1:
        raise StudioError(f"--trials must be at least 1, got {args.trials}; give the number of trials to run")
    path = resolve_recipe_path(args.recipe)
    recipe = load_recipe(path)
    space_path = Path(args.space)
    if not space_path.is_file():
        raise SpaceError(f"space file {quote(args.space, 120)} does not exist; give a JSON file of recipe paths "
                         "and ranges")
    space = space_from_json(space_path.read_bytes(), space_path.name)
    out = Path(args.out) if args.out else Path("sweeps") / recipe.name
    settings = SweepSettings(recipe=recipe, space=space, trials=args.trials, out=out, parallel=args.parallel,
                             ray=args.ray, pruner=args.pruner, seed=args.seed, access=DataAccess.cli(path))
    received: list[int] = []

    def interrupt(signum: int, frame: Any) -> None:  # SIGTERM ends the sweep as Ctrl-C does
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt) if _main_thread() else None
    try:
        result = run_sweep(settings, on_trial=_print_trial)
    except KeyboardInterrupt:
        print(f"interrupted: {out} keeps the trials that ended; run the same command to continue the sweep",
              file=sys.stderr)
        return 128 + (received[0] if received else signal.SIGINT)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if result.resumed and result.ran == 0:
        print(f"the sweep in {out} already holds {args.trials} trials; give a larger --trials to continue it")
    for line in describe_result(result):
        print(line)
    return 0


def _print_trial(row: dict[str, Any], ended: int, target: int) -> None:
    from studio.sweeps.study import params_text

    value = "" if row["value"] is None else f", value {row['value']:.4f}"
    seconds = f" in {row['seconds']:.1f} s" if isinstance(row["seconds"], int | float) else ""
    note = f" ({row['message']})" if row["status"] in ("failed", "pruned") and row["message"] else ""
    print(f"trial {row['trial']} [{ended}/{target}]: {row['status']}{value}{seconds}: "
          f"{params_text(row['params'])}{note}", flush=True)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()

"""The `studio` command: train, sweep, distill, prune, export, variants, bench, predict, explain, list what
is built in, start the app.

Every command imports what it needs lazily: `studio predict` must run without importing torch.
A person's mistake exits with status 2 and one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from studio.errors import StudioError, quote

ASSETS = Path(__file__).resolve().parent.parent / "assets"
# How `studio app` hands its options to the app it starts (read by components/settings.py)
DATA_DIRS_ENV, SHARED_RUNS_ENV, RUNS_DIR_ENV = "STUDIO_DATA_DIRS", "STUDIO_SHARED_RUNS", "STUDIO_RUNS_DIR"
MAX_JOBS_ENV, MAX_SESSION_JOBS_ENV = "STUDIO_MAX_JOBS", "STUDIO_MAX_JOBS_PER_SESSION"
PRESETS = ASSETS / "recipes"


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        args = _parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except StudioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # the system refused a path the person gave: too long, not allowed, disk full...
        print(f"error: {describe_os_error(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def describe_os_error(err: OSError) -> str:
    """One sentence for an error of the file system, naming the path (shortened) when there is one."""
    what = (err.strerror or type(err).__name__).lower()
    where = quote(str(err.filename), 120) if err.filename else "a file"
    return f"cannot use {where}: {what}; check the path, its length and its permissions"


class _Parser(argparse.ArgumentParser):
    """argparse that says a mistake the studio's way: one sentence (``error: ...``, exit 2), no usage dump."""

    def error(self, message: str) -> NoReturn:
        hint = f"; see `{self.prog} --help`"
        if len(message) + len(hint) > 280:  # argparse repeats what it got whole (a 10 MB argument...)
            message = message[: 279 - len(hint)] + "…"
        raise StudioError(f"{message}{hint}")


def _folder(value: str) -> str:
    """An ``--out`` folder: an empty one would put run directories in the working folder itself."""
    if not value.strip():
        raise argparse.ArgumentTypeError("is empty; give a folder for the run directories (default: runs)")
    return value


def _repeats(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if not 1 <= n <= 1000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 1000, got {quote(value)}")
    return n


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535, got {quote(value)}")
    return port


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if not 1 <= n <= 1000:
        raise argparse.ArgumentTypeError(f"must be a whole number of jobs from 1 to 1000, got {quote(value)}")
    return n


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= 86_400:
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 1 to 86400, got {quote(value)}")
    return seconds


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="studio", description="Training Studio: train, export and serve networks.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a recipe and save a run directory")
    t.add_argument("recipe", nargs="?", default=None,
                   help="a recipe JSON file, or the name of a preset (see `studio recipes`)")
    t.add_argument("--resume", default=None, metavar="RUN",
                   help="continue this run from its last checkpoint, as a new run linked to it (no RECIPE)")
    t.add_argument("--epochs", type=int, default=None, metavar="N",
                   help="with --resume: train N more epochs (default: up to the run's own epochs)")
    t.add_argument("--out", default="runs", type=_folder, help="folder that holds run directories (default: runs)")
    t.add_argument("--quiet", action="store_true", help="no progress bar, and no lines on what loading decided")
    t.add_argument("--nproc", type=int, default=None, metavar="N",
                   help="train data-parallel in N processes started by torchrun (gloo on CPUs, NCCL on GPUs); "
                        "batch_size stays the batch of all N together")
    t.add_argument("--master-port", type=_port, default=None, metavar="PORT",
                   help="with --nproc: the port of torchrun's rendezvous (default: a free one)")
    t.add_argument("--backend", choices=["auto", "gloo", "nccl"], default=None,
                   help="data-parallel only: the process-group backend (default auto: NCCL on CUDA, else gloo)")
    t.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                   help="data-parallel only: how long a process waits for the others before the run fails "
                        "(default 120)")
    t.set_defaults(handler=_train)

    d = sub.add_parser("distill", help="train a smaller student on a teacher run's soft targets, and compare them")
    d.add_argument("teacher", help="the teacher's run directory")
    d.add_argument("student", help="the student's recipe (JSON file or preset); the teacher's data and "
                                   "preprocessing are used")
    d.add_argument("--temperature", type=float, default=None, help="softens the teacher's probabilities (default 4)")
    d.add_argument("--alpha", type=float, default=None, help="weight of the teacher's targets (default 0.7)")
    d.add_argument("--out", default="runs", type=_folder, help="folder that holds run directories (default: runs)")
    d.add_argument("--quiet", action="store_true", help="no progress bar")
    d.set_defaults(handler=_distill)

    pn = sub.add_parser("prune", help="prune a run in steps (fine-tuning after each) and compare the steps")
    pn.add_argument("run_dir")
    pn.add_argument("--sparsity", type=float, required=True, help="share of weights (or units) removed, e.g. 0.5")
    pn.add_argument("--structured", action="store_true",
                    help="remove whole units and channels: a smaller, faster file (else single weights become 0)")
    pn.add_argument("--steps", type=int, default=4, help="pruning steps, each a run (default 4)")
    pn.add_argument("--epochs", type=int, default=6, help="fine-tuning epochs after each step (default 6: "
                                                          "fewer lose more accuracy)")
    pn.add_argument("--out", default="runs", type=_folder, help="folder that holds run directories (default: runs)")
    pn.set_defaults(handler=_prune)
    from studio.sweep_cli import add_parser as add_sweep

    add_sweep(sub, _folder)

    sub.add_parser("datasets", help="list the built-in datasets").set_defaults(handler=_datasets)
    sub.add_parser("recipes", help="list the preset recipes").set_defaults(handler=_recipes)
    sub.add_parser("lessons", help="list the lessons (for `studio link --lesson ID`)").set_defaults(handler=_lessons)

    r = sub.add_parser("runs", help="list the runs in a folder: name, status, metric, time")
    r.add_argument("--out", default="runs", type=_folder, help="folder that holds run directories (default: runs)")
    r.set_defaults(handler=_runs)

    from studio.export.options import DEFAULT_OPSET, OPSETS, QUANTIZERS

    e = sub.add_parser("export", help="export a run to ONNX, check it against torch")
    e.add_argument("run_dir")
    e.add_argument("--quantize", choices=list(QUANTIZERS), default=None, help="also write an int8 model")
    e.add_argument("--opset", type=int, default=DEFAULT_OPSET,
                   help=f"ONNX opset ({OPSETS.start}-{OPSETS.stop - 1}, default {DEFAULT_OPSET})")
    e.add_argument("--bench", action="store_true", help="also measure latency (same as `studio bench`)")
    e.add_argument("--allow-failed", action="store_true",
                   help="export a run that failed (its last weights before the failure), with a warning")
    e.set_defaults(handler=_export)

    v = sub.add_parser("variants", help="make and measure every variant of a run's ONNX file (fp32, optimized, "
                                        "dynamic and static int8): size, latency, accuracy change; recommend one")
    v.add_argument("run_dir")
    v.set_defaults(handler=_variants)

    b = sub.add_parser("bench", help="latency and throughput of a run: torch vs onnxruntime")
    b.add_argument("run_dir")
    b.set_defaults(handler=_bench)

    x = sub.add_parser("explain", help="permutation importance of each input column on a run's test split")
    x.add_argument("run_dir")
    x.add_argument("--repeats", type=_repeats, default=5, metavar="N",
                   help="shuffles per column; more gives a steadier mean (default 5)")
    x.add_argument("--seed", type=int, default=0, help="seed of the shuffles (default 0)")
    x.add_argument("--out", default=None, metavar="FILE.csv",
                   help="also write the table to this CSV (it is always saved in the run as importance.csv)")
    x.set_defaults(handler=_explain)

    pr = sub.add_parser("predict", help="predict a CSV, or pictures, with an exported model (onnxruntime only)")
    pr.add_argument("model", help="model.onnx written by `studio export` (or the run folder that holds it)")
    pr.add_argument("input", nargs="+", help="a CSV with the training columns, or picture files and folders "
                                             "(for a model trained on pictures)")
    pr.add_argument("--out", default=None, help="output CSV (default: print to stdout)")
    pr.set_defaults(handler=_predict)

    lk = sub.add_parser("link", help="print a link that opens the studio with a recipe (and a lesson) as the draft")
    lk.add_argument("recipe", nargs="?", default=None,
                    help="recipe JSON file or preset name (default with --lesson: the lesson's first setup)")
    lk.add_argument("--base", type=_base_url, default=DEFAULT_BASE,
                    help=f"the studio's address as students open it (default {DEFAULT_BASE})")
    lk.add_argument("--lesson", default=None, metavar="ID",
                    help="show this lesson to whoever opens the link, with its controls locked (see `studio lessons`)")
    lk.add_argument("--unlocked", action="store_true", help="with --lesson: lock nothing")
    lk.add_argument("--qr", action="store_true", help="also print the link's QR code under it (for a terminal 100 to "
                                                     "120 columns wide, light text on dark)")
    lk.add_argument("--qr-file", default=None, metavar="PATH",
                    help="also write the link's QR code to PATH, a .png or .svg image (for a projector)")
    lk.set_defaults(handler=_link)

    a = sub.add_parser("app", help="start the browser studio")
    a.add_argument("--port", type=_port, default=8501)
    a.add_argument("--host", default="localhost",
                   help="address to listen on (default localhost; 0.0.0.0 serves a classroom network)")
    a.add_argument("--data-dir", action="append", default=[], metavar="DIR",
                   help="a folder whose files recipes may read (csv:NAME), besides each session's uploads; "
                        "repeatable")
    a.add_argument("--shared-runs", action="store_true",
                   help="every user sees every run in the runs folder (default: each browser sees its own)")
    a.add_argument("--runs-dir", default=None, help="folder for run directories (default: $STUDIO_RUNS_DIR or runs)")
    a.add_argument("--max-jobs", type=_jobs, default=None, metavar="N",
                   help="training runs that train at once; more wait in a queue that shows each its place "
                        f"(default: ${MAX_JOBS_ENV}, else the number of usable CPU cores)")
    a.add_argument("--max-jobs-per-session", type=_jobs, default=None, metavar="N",
                   help=f"runs one browser session may have queued or training at once (default: "
                        f"${MAX_SESSION_JOBS_ENV}, else 1)")
    a.set_defaults(handler=_app)
    return p


def resolve_recipe_path(name: str) -> Path:
    """A path to a recipe file, or a preset's name ("iris-mlp")."""
    path = Path(name)
    if path.is_file():
        return path
    if path.is_dir():
        raise StudioError(f"recipe {quote(name, 120)} is a folder; give a recipe JSON file or a preset's name")
    preset = PRESETS / f"{name.removesuffix('.json')}.json"
    if preset.is_file():
        return preset
    names = ", ".join(p.stem for p in sorted(PRESETS.glob("*.json")))
    raise StudioError(f"recipe {name!r} is neither a file nor a preset; presets: {names}")


def _train(args: argparse.Namespace) -> int:
    from studio.parallel.context import launched_by_torchrun
    from studio.recipe import load_recipe
    from studio.train_cli import train_from_cli

    under_torchrun = launched_by_torchrun()
    if args.resume is not None:
        if args.recipe is not None:
            raise StudioError("give either a RECIPE or --resume RUN, not both: a continued run trains its own recipe")
        if args.nproc is not None or under_torchrun:
            raise StudioError("--resume continues a run in one process; leave out --nproc and torchrun")
        from studio.runs.resume import plan_resume

        plan = plan_resume(args.resume, args.epochs)
        return train_from_cli(plan.recipe, plan.parent.path / "recipe.json", Path(args.out), quiet=args.quiet,
                              resume=plan)
    if args.recipe is None:
        raise StudioError("give a recipe to train (a JSON file or a preset name), or --resume RUN")
    if args.epochs is not None:
        raise StudioError("--epochs goes with --resume; to change a recipe's epochs, edit its training.epochs")
    if args.nproc is not None:
        from studio.parallel.checks import check_nproc

        if under_torchrun:
            raise StudioError("--nproc starts torchrun itself; under torchrun leave it out (torchrun's "
                              "--nproc-per-node says how many processes)")
        check_nproc(args.nproc)
    path = resolve_recipe_path(args.recipe)
    recipe = load_recipe(path)
    if ((args.nproc or 1) > 1 or under_torchrun) and (recipe.training.init_from or recipe.training.distill_from):
        raise StudioError("data-parallel training does not start from another run yet (training.init_from or "
                          "distill_from); train this recipe in one process")
    if args.nproc is not None and args.nproc > 1:
        return _train_parallel(args, path, recipe)
    if under_torchrun:
        return _train_under_torchrun(args, path, recipe)
    given = [flag for flag, value in (("--master-port", args.master_port), ("--backend", args.backend),
                                      ("--timeout", args.timeout)) if value is not None]
    if given:
        raise StudioError(f"{given[0]} applies to data-parallel training only; add --nproc 2 (or more), or run "
                          "under torchrun")
    return train_from_cli(recipe, path, Path(args.out), quiet=args.quiet)


DEFAULT_BASE = "http://localhost:8501/"


def _base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"must be the studio's address, like http://host:8501/, got {quote(value)}")
    return value


def _link(args: argparse.Namespace) -> int:
    from studio.lessons import get_lesson
    from studio.recipe import load_recipe
    from studio.share import link

    kind = _qr_file_kind(args.qr_file) if args.qr_file is not None else None
    if args.lesson is None:
        if args.recipe is None or args.unlocked:
            raise StudioError("give a recipe (a file or a preset's name), or --lesson ID; --unlocked goes with "
                              "--lesson")
        url = link(load_recipe(resolve_recipe_path(args.recipe)), args.base)
    else:
        lesson = get_lesson(args.lesson)
        recipe = lesson.recipe() if args.recipe is None else load_recipe(resolve_recipe_path(args.recipe))
        url = link(recipe, args.base, lesson.id, () if args.unlocked else lesson.locked)
    if not args.qr and kind is None:
        print(url)
        return 0
    from studio.share_qr import qr_image, qr_text

    text = qr_text(url) if args.qr else None  # a link too long for a QR code stops here, before any output
    image = qr_image(url, kind) if kind is not None else None
    if image is not None:
        from studio.atomic import write_bytes_atomic

        try:
            write_bytes_atomic(args.qr_file, image)
        except OSError as err:
            raise StudioError(f"cannot write {quote(args.qr_file, 120)} ({err.strerror or err}); "
                              "choose another --qr-file") from None
    print(url)
    if text is not None:
        print(text, end="")
        columns = len(text.splitlines()[0])
        if sys.stdout.isatty() and shutil.get_terminal_size().columns < columns:
            print(f"note: the QR code is {columns} columns wide and this terminal is narrower, so its lines wrap "
                  "and it cannot be scanned; widen the terminal or use --qr-file", file=sys.stderr)
    if image is not None:
        print(f"wrote {args.qr_file}", file=sys.stderr)  # on stderr: stdout stays the link (and its QR code)
    return 0


def _qr_file_kind(name: str) -> str:
    """The image kind of a ``--qr-file`` ("png" or "svg", from its extension), refused before any work."""
    kind = Path(name).suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise StudioError(f"--qr-file {quote(name, 120)} must end in .png or .svg, such as qr.png")
    check_output_file(name, "--qr-file", "qr.png")
    return kind


def _lessons(args: argparse.Namespace) -> int:
    from studio.lessons import lessons

    found = lessons()
    width = max((len(i) for i in found), default=0)
    for lesson in found.values():
        setups = ", ".join(s.label for s in lesson.setups)
        print(f"{lesson.id:<{width}}  {lesson.title} (setups: {setups}; {len(lesson.locked)} locks)")
    print("\nlink to one with: studio link --lesson ID [--base URL]")
    return 0


def _distill(args: argparse.Namespace) -> int:
    from studio.compress.source import check_source
    from studio.export.compare import compare_runs, format_table
    from studio.recipe import load_recipe
    from studio.train.distill import student_recipe
    from studio.train_cli import train_from_cli

    check_source(args.teacher, "distill from")  # a teacher still training, failed or without weights
    path = resolve_recipe_path(args.student)
    own = load_recipe(path)
    recipe = student_recipe(args.teacher, own, args.temperature, args.alpha)
    if own.data != recipe.data:
        print(f"note: the student trains on its teacher's data ({recipe.data.source}), not on its recipe's "
              f"({own.data.source}): a student learns its teacher's task")
    made: list[Path] = []
    status = train_from_cli(recipe, path, Path(args.out), quiet=args.quiet, made=made)
    if status != 0:
        return status
    table = compare_runs([("teacher", args.teacher), ("student", made[0])])
    print("\n".join(format_table(table)))
    teacher, student = (int(v) for v in table["parameters"])
    if student >= teacher:
        print(f"note: the student has {student:,} parameters, the teacher {teacher:,}: distillation usually makes a "
              "smaller model; give the student fewer units or blocks")
    return 0


def _prune(args: argparse.Namespace) -> int:
    from studio.compress import prune_run
    from studio.export.compare import format_table

    report = prune_run(args.run_dir, args.sparsity, args.structured, args.steps, args.epochs, args.out)
    for note in report.notes:
        print(note)
    print("\n".join(format_table(report.table())))
    if not args.structured:
        print("note: unstructured pruning stores its zeros like other weights: the file and the latency stay the "
              "same (use --structured for a smaller, faster model)")
    for run in report.runs:
        print(run)
    return 0


def _train_parallel(args: argparse.Namespace, path: Path, recipe: Any) -> int:
    """`studio train --nproc N`: check what can be checked here, then let torchrun start the processes."""
    from studio.parallel.checks import check_nproc, check_port, choose_backend, distributed_device
    from studio.parallel.context import DEFAULT_TIMEOUT
    from studio.parallel.launch import launch

    device = distributed_device(recipe.training.device)
    check_nproc(args.nproc, device)
    backend = choose_backend(args.backend or "auto", device)
    if args.master_port is not None:
        check_port(args.master_port)
    return launch(path, Path(args.out), args.nproc, backend, args.timeout or DEFAULT_TIMEOUT, quiet=args.quiet,
                  master_port=args.master_port)


def _train_under_torchrun(args: argparse.Namespace, path: Path, recipe: Any) -> int:
    """One process of `torchrun --nproc-per-node N -m studio train RECIPE`: join the others and train."""
    from studio.parallel.context import DEFAULT_TIMEOUT, RUN_DIR_FILE_ENV, join, leave
    from studio.parallel.trainer import LostProcess
    from studio.train_cli import train_from_cli

    if args.master_port is not None:
        raise StudioError("--master-port belongs to torchrun here: give it to torchrun, before -m studio")
    ctx = join(recipe.training.device, args.backend or "auto", args.timeout or DEFAULT_TIMEOUT)
    try:
        return train_from_cli(recipe, path, Path(args.out), quiet=args.quiet, parallel=ctx)
    except LostProcess:
        if os.environ.get(RUN_DIR_FILE_ENV):
            return 2  # `studio train --nproc` says which process died, in one sentence
        raise
    finally:
        leave()


def _datasets(args: argparse.Namespace) -> int:
    from studio.data import describe_datasets

    rows = describe_datasets()
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        task = "forecast" if r.get("series") else r["task"]
        print(f"{r['name']:<{width}}  {task:<14} {r['description']}")
    print("\nuse one as \"source\": \"builtin:NAME\"; your own file as \"csv:PATH\"")
    return 0


def _recipes(args: argparse.Namespace) -> int:
    for path in sorted(PRESETS.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        print(f"{path.stem:<22} {raw['data']['source']:<24} {len(raw.get('model', []))} blocks, "
              f"{raw.get('training', {}).get('epochs', '?')} epochs")
    print("\ntrain one with: studio train NAME")
    return 0


def _runs(args: argparse.Namespace) -> int:
    from studio.runs import list_runs

    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise StudioError(f"--out {quote(args.out, 120)} is a file, not a folder of runs; give the folder "
                          "`studio train` "
                          "wrote to (default: runs)")
    infos = list_runs(args.out)
    if not infos:
        print(f"no runs in {args.out}; `studio train RECIPE --out {args.out}` makes one")
        return 0
    rows = [(i.run_id, i.name, str(i.status), "" if i.value is None else f"{i.primary_metric} {i.value:.4f}",
             f"{i.epochs_run}", f"{i.seconds:.1f} s", i.created) for i in infos]
    head = ("run", "name", "status", "test metric", "epochs", "time", "created")
    widths = [max(len(r[k]) for r in [head, *rows]) for k in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _export(args: argparse.Namespace) -> int:
    from studio.export import export_run

    report = export_run(args.run_dir, quantize=args.quantize, opset=args.opset, allow_failed=args.allow_failed)
    for line in describe_export(report):
        print(line)
    if args.bench:
        return _bench(args)
    return 0


def describe_export(report: Any) -> list[str]:
    """The lines `studio export` prints: the file, the proof, int8, the card."""
    p = report.parity
    lines = [f"wrote {report.model_path} ({report.size_bytes / 1024:.1f} KB, opset {report.opset}) "
             f"in {report.seconds:.1f} s"]
    figures = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in p.items()
                        if isinstance(v, int | float | str) and not isinstance(v, bool))
    lines.append(f"parity: {figures}")
    if report.int8_path is not None and report.int8:
        extra = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in report.int8.items()
                          if isinstance(v, int | float | str) and not isinstance(v, bool))
        lines.append(f"int8: {report.int8_path} ({extra})")
    lines.extend(f"note: {n}" for n in report.notes)
    lines.append(f"card: {report.card_path}")
    return lines


def _variants(args: argparse.Namespace) -> int:
    from studio.export.variants import TABLE, measure_variants

    found = measure_variants(args.run_dir)
    table = found.table.copy()
    table["note"] = table["note"].fillna("")
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.1f}" if abs(v) >= 100 else f"{v:.4g}", na_rep="-"))
    print(found.recommendation)
    print(f"wrote {Path(args.run_dir) / TABLE}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from studio.export import benchmark_run

    table = benchmark_run(args.run_dir)
    shown = table.drop(columns=[c for c in ("calls",) if c in table.columns])
    print(shown.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    print(f"wrote {Path(args.run_dir) / 'bench.csv'}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from studio.explain import explain_run

    if args.out:
        check_output_file(args.out)
    table = explain_run(args.run_dir, repeats=args.repeats, seed=args.seed)
    for line in describe_importance(table):
        print(line)
    if args.out:
        from studio.atomic import write_text_atomic
        from studio.export.csv_safety import to_safe_csv

        try:
            write_text_atomic(args.out, to_safe_csv(table))
        except OSError as err:
            raise StudioError(f"cannot write {quote(args.out, 120)} ({err.strerror or err}); "
                              "choose another --out") from None
        print(f"wrote {args.out}")
    return 0


def describe_importance(table: Any) -> list[str]:
    """The lines `studio explain` prints: what was measured, then one line per column."""
    a = table.attrs
    lines = [f"test {a['metric']} {a['score']:.4f} on {a['rows']} rows; drop when a column is shuffled "
             f"(mean ± std of {a['repeats']} shuffles, seed {a['seed']}):"]
    shown = table.rename(columns={"mean_drop": "drop", "std_drop": "std"})
    lines.extend(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}").splitlines())
    return lines


def _predict(args: argparse.Namespace) -> int:
    from studio.export.csv_safety import to_safe_csv
    from studio.export.predict import predict_paths

    if args.out:
        check_output_file(args.out)
    model = Path(args.model)
    if model.is_dir() and (model / "summary.json").is_file():  # a run folder: its exported file
        if not (model / "model.onnx").is_file():
            raise StudioError(f"run {quote(model.name, 120)} has no model.onnx yet; export it first with "
                              f"`studio export {quote(args.model, 120)}`")
        model = model / "model.onnx"
    result = predict_paths(str(model), args.input)
    for notice in result.attrs.get("notices", []):
        print(f"notice: {notice}", file=sys.stderr)
    text = to_safe_csv(result)  # no cell that a spreadsheet would run as a formula
    if args.out:
        from studio.atomic import write_text_atomic

        try:
            write_text_atomic(args.out, text)
        except OSError as err:
            raise StudioError(f"cannot write {quote(args.out, 120)} ({err.strerror or err}); "
                              "choose another --out") from None
        print(f"wrote {len(result)} predictions to {args.out}")
    else:
        print(text, end="")
    return 0


def check_output_file(name: str, option: str = "--out", example: str = "predictions.csv") -> None:
    """Refuse an ``--out`` (or other ``option``) that cannot become a file, before any work is done (a folder
    is made if missing)."""
    path = Path(name)
    if not name.strip():
        raise StudioError(f"{option} is empty; give a file name such as {example}")
    if path.is_dir():
        raise StudioError(f"{option} {quote(name, 120)} is a folder; give a file name such as {example}")
    blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise StudioError(f"{option} {quote(name, 120)} cannot be written: {quote(str(blocked), 120)} is a file, "
                          "not a folder")


def _app(args: argparse.Namespace) -> int:
    from studio.app_process import run_server

    app = Path(__file__).resolve().parent.parent / "components" / "app.py"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
           "--server.address", args.host, "--browser.gatherUsageStats", "false",
           "--server.maxUploadSize", "200", "--server.headless", "true",
           "--runner.postScriptGC", "false",  # see .streamlit/config.toml: a GC per rerun stalls training
           "--client.toolbarMode", "minimal",
           "--client.showErrorDetails", "none",  # tracebacks go to the server log, not to the browser
           # A served studio never re-imports its modules when a file changes: that would start a new,
           # empty job registry beside the running jobs, and in benchmarks/classroom_load.py an edit made
           # during the run failed pages on half-imported modules. (Develop with `streamlit run`.)
           "--server.fileWatcherType", "none",
           "--server.enableXsrfProtection", "true", "--server.enableCORS", "true"]
    env = dict(os.environ)
    for folder in args.data_dir:
        if not Path(folder).is_dir():
            raise StudioError(f"--data-dir {folder!r} is not a folder; give a folder of data files")
    if args.data_dir:
        env[DATA_DIRS_ENV] = os.pathsep.join(str(Path(f).resolve()) for f in args.data_dir)
    if args.shared_runs:
        env[SHARED_RUNS_ENV] = "1"
    if args.runs_dir:
        env[RUNS_DIR_ENV] = str(Path(args.runs_dir).resolve())
    if args.max_jobs:
        env[MAX_JOBS_ENV] = str(args.max_jobs)
    if args.max_jobs_per_session:
        env[MAX_SESSION_JOBS_ENV] = str(args.max_jobs_per_session)
    print(f"Training Studio: open http://{args.host}:{args.port} in your browser (Ctrl+C stops it)", flush=True)
    return run_server(cmd, env=env)


if __name__ == "__main__":
    raise SystemExit(main())

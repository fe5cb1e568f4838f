"""Export page: the run -> model.onnx (parity-checked against torch), latency per runtime, the measured
variants (optimized, dynamic and static int8) with a recommendation, smaller models (prune or distill
the run: :mod:`components.compress_panel`), downloads.

The export and the benchmark are one engine call each (``export_run``, ``benchmark_run``); what
they write into the run directory (export.json, bench.csv) is what this page shows, so the result
is still there after a rerun, a refresh or a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from components import compress_panel, engine, figures
from components.run_picker import pick_run
from components.safe import md
from studio.errors import StudioError
from studio.export.options import DEFAULT_OPSET, OPSETS, QUANTIZERS
from studio.status import RunStatus


def _allow_failed(run_dir: Path) -> bool:
    """A failed run is exported only when asked for explicitly, as ``studio export --allow-failed`` does."""
    summary = engine.run_summary(run_dir)
    if summary.status != RunStatus.FAILED:
        return False
    st.error(f"This run FAILED ({md(summary.message or 'no message')}). Its weights are the last ones before the "
             "failure, not a trained model: fix the recipe and train again.")
    return st.checkbox("Export this failed run anyway", key="export.allow_failed",
                       help="The export's notes and model card will say that the run failed.")


def _export_controls(run_dir: Path) -> None:
    allow_failed = _allow_failed(run_dir)
    quantize_col, opset_col, button_col = st.columns([2, 2, 2], vertical_alignment="bottom")
    quantize = None
    for name in QUANTIZERS:  # one box per quantizer the engine offers
        if quantize_col.checkbox(f"Also an {name} model", key=f"export.{name}",
                                 help=f"Dynamic {name} quantization (weights stored as 8-bit integers). Whether the "
                                      "file gets smaller or faster, and which labels change, is measured: see "
                                      "Compare variants below; on small models it can be larger and slower."):
            quantize = name
    opset = opset_col.number_input("ONNX opset", min_value=OPSETS.start, max_value=OPSETS.stop - 1,
                                   value=DEFAULT_OPSET, step=1, key="export.opset",
                                   help="Version of the ONNX operator set to target.")
    if button_col.button("Export to ONNX", type="primary", key="export.run", width="stretch"):
        with st.spinner("Exporting and checking the model against torch..."):
            try:
                engine.export(run_dir, quantize, int(opset), allow_failed)
            except StudioError as err:
                st.error(md(err))


def _parity(report: dict[str, Any]) -> None:
    p = report["parity"]
    verdict = (f"{p['rows']} test rows, largest difference {p['max_abs_diff']:.2g} "
               f"(allowed {p['atol']:.1g} + {p['rtol']:.0e}·|value|), batch sizes {p.get('batch_sizes')}")
    if p["passed"]:
        st.success(f"Parity check PASSED: onnxruntime computes what torch computes. {verdict}.")
    else:
        st.error(f"Parity check FAILED: {verdict}.")
    for note in report.get("notes") or []:
        (st.warning if str(note).startswith("WARNING") else st.info)(md(note))
    a, b, c = st.columns(3)
    a.metric("model.onnx size", f"{report['size_bytes'] / 1024:,.1f} KiB")
    b.metric("Opset", report["opset"])
    if p.get("label_agreement") is not None:
        c.metric("Label agreement (torch vs ONNX)", f"{p['label_agreement']:.2%}")
    st.plotly_chart(figures.parity(p["metrics_torch"], p["metrics_onnx"]), key="export.parity")
    int8 = report.get("int8")
    if int8:
        change = int8.get("metric_change")
        st.markdown(f"**int8 model**: {int8['size_int8'] / 1024:,.1f} KiB instead of {int8['size_fp32'] / 1024:,.1f}"
                    f" KiB; test {int8['primary_metric']} change "
                    f"{'n/a' if change is None else f'{change:+.4f}'}; largest output difference "
                    f"{int8['max_abs_diff_vs_fp32']:.3g}.")


def _benchmark(run_dir: Path) -> None:
    st.subheader("Latency")
    if st.button("Measure latency", key="export.bench"):
        with st.spinner("Timing torch and onnxruntime side by side..."):
            try:
                engine.benchmark(run_dir)
            except StudioError as err:
                st.error(md(err))
    try:
        bench = engine.last_benchmark(run_dir)
    except StudioError as err:
        st.error(md(err))
        return
    if bench is None:
        st.caption("Not measured for this export yet.")
        return
    left, right = st.columns([3, 2])
    left.plotly_chart(figures.latency(bench), key="export.latency")
    right.dataframe(bench, hide_index=True, key="export.bench_table")


def _variants(run_dir: Path) -> None:
    st.subheader("Compare variants")
    st.caption("fp32 (model.onnx), onnxruntime's offline-optimized graph, dynamic int8 and static int8 "
               "(calibrated on training rows), each measured on the test rows: file size, latency, accuracy "
               "and labels changed against fp32. The recommendation comes from this table only.")
    if st.button("Measure variants", key="export.variants"):
        with st.spinner("Making each variant and timing them side by side..."):
            try:
                engine.measure_variants(run_dir)
            except StudioError as err:
                st.error(md(err))
    try:
        found = engine.last_variants(run_dir)
    except StudioError as err:
        st.error(md(err))
        found = None
    if found is None:
        st.caption("Not measured for this export yet.")
    else:
        table, recommendation = found
        st.dataframe(table, hide_index=True, key="export.variants_table")
        st.info(md(recommendation))
    files = engine.variant_files(run_dir)
    if files:
        cols = st.columns(len(files))
        for col, (name, path) in zip(cols, files.items(), strict=True):
            col.download_button(f"{name}: {path.name}", data=path.read_bytes(), file_name=path.name,
                                mime="application/octet-stream", key=f"export.variant.{name}", width="stretch")


def _downloads(run_dir: Path) -> None:
    st.subheader("Downloads")
    for col, (name, mime) in zip(st.columns(len(engine.DOWNLOADS)), engine.DOWNLOADS.items(), strict=True):
        path = run_dir / name
        col.download_button(name, data=path.read_bytes() if path.is_file() else b"", file_name=name, mime=mime,
                            disabled=not path.is_file(), key=f"export.download.{name}", width="stretch")


def page() -> None:
    st.title("Export")
    run_dir = pick_run("export")
    if run_dir is None:
        st.info("No trained run yet: train one on the Train page, then export it here.")
        return
    _export_controls(run_dir)
    try:
        report = engine.export_report(run_dir)
    except StudioError as err:
        st.error(md(err))
    else:
        if report is None:
            st.info("This run has not been exported yet: press Export to ONNX.")
        else:
            _parity(report)
            _benchmark(run_dir)
            _variants(run_dir)
    compress_panel.section(run_dir)
    _downloads(run_dir)


page()

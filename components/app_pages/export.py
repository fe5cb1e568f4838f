"""Export page: the run -> model.onnx (parity-checked against torch), latency per runtime, downloads.

The export and the benchmark are one engine call each (``export_run``, ``benchmark_run``); what
they write into the run directory (export.json, bench.csv) is what this page shows, so the result
is still there after a rerun, a refresh or a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from components import engine, figures
from components.run_picker import pick_run
from components.safe import md
from studio.errors import StudioError

OPSETS = (18, 23)  # what the exporter supports (see `studio export --help`)


def _export_controls(run_dir: Path) -> None:
    int8_col, opset_col, button_col = st.columns([2, 2, 2], vertical_alignment="bottom")
    int8 = int8_col.checkbox("Also an int8 model", key="export.int8",
                             help="Dynamic int8 quantization: a smaller file; its metric change is reported.")
    opset = opset_col.number_input("ONNX opset", min_value=OPSETS[0], max_value=OPSETS[1], value=20, step=1,
                                   key="export.opset", help="Version of the ONNX operator set to target.")
    if button_col.button("Export to ONNX", type="primary", key="export.run", width="stretch"):
        with st.spinner("Exporting and checking the model against torch..."):
            try:
                engine.export(run_dir, bool(int8), int(opset))
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
        st.info(md(note))
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
    bench = engine.last_benchmark(run_dir)
    if bench is None:
        st.caption("Not measured for this export yet.")
        return
    left, right = st.columns([3, 2])
    left.plotly_chart(figures.latency(bench), key="export.latency")
    right.dataframe(bench, hide_index=True, key="export.bench_table")


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
    report = engine.export_report(run_dir)
    if report is None:
        st.info("This run has not been exported yet: press Export to ONNX.")
    else:
        _parity(report)
        _benchmark(run_dir)
    _downloads(run_dir)


page()

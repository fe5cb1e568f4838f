"""A browser's side of Streamlit's websocket protocol, without a browser: for load benchmarks.

A real class runs its browsers on the students' laptops, so a load test that runs thirty Chromium
pages on the server's own two cores measures Chromium, not the server. :class:`ThinSession` speaks
what the page speaks (``/_stcore/stream``, protobuf ``BackMsg``/``ForwardMsg``): it asks for script
runs with the page's client state (query string, page, every widget's value), reads the elements
each run draws (labels, widget ids, texts), and keeps a fragment's timed reruns going exactly as the
page does, from the server's ``auto_rerun`` and ``stop_auto_rerun`` messages. Each run's time is
from sending the request to the server's ``script_finished``.

One difference from a browser, on purpose: an input waits for a live poll already under way to
finish (a browser would interrupt it), so a rerun is never measured while another one runs for the
same session; the wait is reported apart.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TEXT_FIELDS = ("markdown", "alert", "text", "heading", "caption", "code", "progress")


@dataclass
class Run:
    """One script run as the client saw it."""

    kind: str  # "first", "input" or "poll"
    seconds: float
    waited: float = 0.0  # seconds an input waited for a poll under way
    texts: list[str] = field(default_factory=list)
    status: str = ""


@dataclass
class ThinSession:
    """One page's session on a Streamlit server at ``url`` (http://host:port)."""

    url: str
    query_string: str = ""
    page_hash: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # page name -> script hash
    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # label -> (element kind, its proto)
    values: dict[str, WidgetState] = field(default_factory=dict)  # widget id -> its state (as the page sends)
    runs: list[Run] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # the texts of the latest full run and its fragment reruns
    fragments: dict[str, float] = field(default_factory=dict)  # fragment id -> interval (live polls)

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await connect(ws_url, subprotocols=["streamlit"], max_size=None, compression=None)
        self._lock = asyncio.Lock()  # one requested run at a time
        self._finished: asyncio.Queue[str] = asyncio.Queue()  # script_finished statuses, in order
        self._texts_of: list[str] = []  # the texts of the run under way
        self._reader = asyncio.create_task(self._read())
        self._poller = asyncio.create_task(self._poll())
        await self._rerun("first")

    async def close(self) -> None:
        self._poller.cancel()
        self._reader.cancel()
        await self._ws.close()

    # -- what a person does ---------------------------------------------------------------------

    async def go_to(self, page: str) -> Run:
        self.page_hash = self.pages[page]
        return await self._rerun("input", page_change=True)

    async def set_value(self, label: str, value: Any) -> Run:
        """Set a number input, checkbox or text input labelled ``label`` (as typed, then Enter)."""
        kind, widget = self.widgets[label]
        state = WidgetState(id=widget.id)
        if kind == "number_input":
            if widget.data_type == widget.INT:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        elif kind == "checkbox":
            state.bool_value = bool(value)
        else:
            state.string_value = str(value)
        self.values[widget.id] = state
        return await self._rerun("input")

    async def click(self, label: str) -> Run:
        _, widget = self.widgets[label]
        self.values[widget.id] = WidgetState(id=widget.id, trigger_value=True)
        try:
            return await self._rerun("input")
        finally:
            self.values.pop(widget.id, None)  # a button's trigger lasts one run

    def text(self) -> str:
        return "\n".join(self.texts)

    # -- the protocol ---------------------------------------------------------------------------

    def _client_state(self, fragment: str | None) -> BackMsg:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = self.page_hash
        cs.widget_states.widgets.extend(self.values.values())
        if fragment:
            cs.fragment_id = fragment
            cs.is_auto_rerun = True
        return msg

    async def _rerun(self, kind: str, fragment: str | None = None, page_change: bool = False) -> Run:
        """Ask for a run and wait for its end (through any run it hands over to, as ``st.rerun`` does)."""
        queued = time.perf_counter()
        async with self._lock:
            while not self._finished.empty():  # runs the server started by itself (a fragment's st.rerun)
                self._finished.get_nowait()
            if page_change:
                self.widgets = {}
            t0 = time.perf_counter()
            self._texts_of = []
            await self._ws.send(self._client_state(fragment).SerializeToString())
            while (status := await self._finished.get()) == "FINISHED_EARLY_FOR_RERUN":
                pass
            run = Run(kind, time.perf_counter() - t0, t0 - queued, self._texts_of, status)
            self.runs.append(run)
            return run

    async def _read(self) -> None:
        while True:
            msg = ForwardMsg.FromString(await self._ws.recv())
            what = msg.WhichOneof("type")
            if what == "script_finished":
                self._finished.put_nowait(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))
            else:
                self._take(msg, what)

    def _take(self, msg: ForwardMsg, what: str | None) -> None:
        if what == "new_session":
            if not msg.metadata.run.fragment_ids:  # a full run: the page forgets its texts and timed reruns
                self.texts, self._texts_of = [], []
                self.fragments.clear()
            self.pages.update({p.page_name: p.page_script_hash for p in msg.new_session.app_pages})
            self.page_hash = self.page_hash or msg.new_session.page_script_hash
        elif what == "navigation":
            self.pages.update({p.page_name: p.page_script_hash for p in msg.navigation.app_pages})
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif what == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif what == "auto_rerun":
            self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif what == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids or list(self.fragments):
                self.fragments.pop(fragment, None)
        elif what == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            kind = el.WhichOneof("type")
            widget = getattr(el, kind) if kind else None
            label = getattr(widget, "label", None) if widget is not None else None
            if label and hasattr(widget, "id"):
                self.widgets[label] = (kind, widget)
            body = getattr(widget, "text" if kind == "progress" else "body", None) if kind in TEXT_FIELDS else None
            if body:
                self._texts_of.append(body)
                self.texts.append(body)

    async def _poll(self) -> None:
        """The page's timed reruns of its live fragments (what ``st.fragment(run_every=...)`` asks for)."""
        while True:
            if not self.fragments:
                await asyncio.sleep(0.05)
                continue
            fragment, interval = next(iter(self.fragments.items()))
            await asyncio.sleep(interval)
            if fragment in self.fragments:
                await self._rerun("poll", fragment)

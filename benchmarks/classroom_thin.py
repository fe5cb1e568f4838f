"""One student of benchmarks/classroom_load.py as a thin client: Streamlit's websocket protocol, no browser.

The same steps as the browser student (open the app, go to Train, set the epochs, press Train, keep
using the page while the run goes on), spoken by :class:`streamlit_client.ThinSession`, which also
keeps the Train panel's live polls going as the page would. The default draft (breast cancer, an MLP)
is trained, as a student who opens the app and presses Train gets it.
"""

from __future__ import annotations

import asyncio
import re
import time
from urllib.parse import parse_qs

from streamlit_client import ThinSession

ENDED = re.compile(r"status: \*\*(completed|early_stopped|stopped|failed)")
WAIT_S = 540.0  # the longest a session waits for its run on a machine thirty sessions keep busy


async def thin_student(url: str, s, epochs: int, probe_every: float, stagger: float) -> None:
    """Drive one ``classroom_load.Session`` ``s``; fills its reruns, first load, owner, end or error."""
    await asyncio.sleep(s.index * stagger)
    page = ThinSession(url)
    try:
        t0 = time.perf_counter()
        await page.open()
        s.first_load = time.perf_counter() - t0
        s.owner = parse_qs(page.query_string).get("owner", [None])[0]
        s.step = "open Train"
        s.reruns.append((s.step, (await page.go_to("Train")).seconds))
        s.step = "set the epochs"
        s.reruns.append((s.step, (await page.set_value("epochs", epochs)).seconds))
        s.step = "press Train"
        run = await page.click("Train")
        s.pressed_train = True
        s.reruns.append((s.step, run.seconds))
        s.queued_text = next((t for t in run.texts if t.startswith("Queued")), None)
        s.step, value = "wait for the run", epochs
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            found = ENDED.search(page.text())
            if found:
                s.end = found.group(1)
                break
            if probe_every > 0:  # go on using the page: a full rerun that changes the draft
                await asyncio.sleep(probe_every)
                if ENDED.search(page.text()):
                    continue
                value = epochs + 1 if value == epochs else epochs
                s.reruns.append((s.step, (await page.set_value("epochs", value)).seconds))
            else:
                await asyncio.sleep(0.5)
        else:
            s.error = "the run did not end in time"
        s.wire.user = [r.seconds for r in page.runs if r.kind == "input"]
        s.wire.polls = [r.seconds for r in page.runs if r.kind == "poll"]
        s.wire.waited = [r.waited for r in page.runs if r.kind == "input"]
    except Exception as err:  # one session's failure is reported, the others go on
        s.error = f"at {s.step}: {type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}"
    finally:
        await page.close()

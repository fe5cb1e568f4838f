"""Training Studio's entry script: ``streamlit run components/app.py``.

It sets up the page, routes between the pages in ``app_pages/`` with ``st.navigation``, draws the
shared sidebar and runs the chosen page inside the error boundary: a StudioError (something a person
can fix) shows its sentence; anything else is a bug, logged with its traceback for the server log
and shown as a short message, never as a traceback in the page.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from components import lesson_panel, projector, share_link, sidebar, state
from components.safe import md
from studio.errors import StudioError

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"
log = logging.getLogger("components")

SECTIONS: dict[str, list[tuple[str, str, str]]] = {  # section -> (file, title, icon)
    "Build": [
        ("data.py", "Data", ":material/table:"),
        ("preprocess.py", "Preprocess", ":material/tune:"),
        ("architecture.py", "Architecture", ":material/account_tree:"),
    ],
    "Run": [
        ("train.py", "Train", ":material/play_circle:"),
        ("evaluate.py", "Evaluate", ":material/analytics:"),
        ("sweep.py", "Sweep", ":material/manage_search:"),
    ],
    "Ship": [
        ("export.py", "Export", ":material/file_export:"),
        ("predict.py", "Predict", ":material/online_prediction:"),
    ],
}


def navigation() -> st.Page:
    pages = {
        section: [
            st.Page(PAGES_DIR / file, title=title, icon=icon, default=(file == "data.py"))
            for file, title, icon in entries
        ]
        for section, entries in SECTIONS.items()
    }
    return st.navigation(pages)


def main() -> None:
    st.set_page_config(page_title="Training Studio", layout="wide")
    page = navigation()
    try:
        state.begin_run()
        state.sync_url()
        projector.apply()
        share_link.load_from_url()
        sidebar.render()
        lesson_panel.banner()
        page.run()
    except StudioError as err:
        st.error(md(err))
    except OSError as err:  # the system refused a file: a name too long, a full disk... (the path stays in the log)
        log.warning("page %r: %s", page.title, err)
        st.error(f"A file could not be read or written ({(err.strerror or type(err).__name__).lower()}); "
                 "check the name you gave, or try again.")
    except Exception:
        log.exception("page %r failed", page.title)
        st.error("Something went wrong on this page (a bug, not your input); the details are in the server log.")


main()

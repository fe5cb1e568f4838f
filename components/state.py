"""The one typed accessor of ``st.session_state``: nothing else in components/ reads or writes it.

What a session holds:
  * the draft Recipe, always valid (every edit goes through ``Recipe.from_dict``);
  * the current run id, mirrored in ``st.query_params["run"]`` so a refresh re-attaches, and the
    A/B pair's two run ids (``?ab=A.B``);
  * a per-browser owner token (``st.query_params["owner"]``) that the job registry files runs under;
    runs on disk record only a hash of it (:func:`user_key`);
  * UI-only values: the error sentence of a widget whose last edit was rejected, a notice shown once
    (what a button just changed), and the folder
    where this session's uploads are saved (see :mod:`components.uploads` for its lifetime).
Everything else (tables, summaries, whether Train is allowed, which files a recipe may read) is
derived from these.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path
from typing import Any

import streamlit as st

from components import lesson_state, settings, uploads
from studio.atomic import write_bytes_atomic
from studio.data.access import DataAccess
from studio.errors import RecipeError, StudioError
from studio.recipe import Recipe, load_recipe

PRESETS_DIR = Path(__file__).resolve().parents[1] / "assets" / "recipes"
DEFAULT_PRESET = PRESETS_DIR / "breast-cancer-mlp.json"
WIDGET_PREFIX = "w."  # keys of widgets that show a recipe value; dropped when the recipe is replaced

RECIPE_KEY = "studio.recipe"
_RUN = "studio.run_id"
_OWNER = "studio.owner"
_ERRORS = "studio.widget_errors"
_UPLOADS = "studio.upload_dir"
_STARTED = "studio.session_started"
_NOTICE = "studio.notice"
_LINK = "studio.link_seen"  # the shared-link token this session has already read
_SWEEP = "studio.sweep_id"
_COMPRESS = "studio.compress_id"
_PAIR = "studio.ab_pair"  # "<run id of A>.<run id of B>"
PAIR_PARAM = "ab"
SWEEP_ROWS = "studio.sweep_rows"  # the Sweep page's space editor (a data_editor's key)
PREDICT_UPLOADS = "predict"  # sub-folder for CSVs to predict, so they never replace the training data


def default_recipe() -> Recipe:
    """The breast-cancer preset when it ships, else the Recipe's own defaults."""
    if DEFAULT_PRESET.is_file():
        try:
            return load_recipe(DEFAULT_PRESET)
        except StudioError:
            pass
    return Recipe()


def presets() -> dict[str, Path]:
    """Preset recipes shipped in assets/recipes, by file stem."""
    return {p.stem: p for p in sorted(PRESETS_DIR.glob("*.json"))}


# -- the draft recipe -----------------------------------------------------------------------------


def get_recipe() -> Recipe:
    if RECIPE_KEY not in st.session_state:
        st.session_state[RECIPE_KEY] = default_recipe()
    return st.session_state[RECIPE_KEY]


def set_recipe(recipe: Recipe, *, reset_widgets: bool = True) -> None:
    """Replace the draft. ``reset_widgets`` makes recipe widgets re-read their values from it.

    A widget keeps its own value under its key, so after a structural change (a preset, a moved or
    removed item) the old values would be shown and written back; dropping the keys avoids that.
    """
    st.session_state[RECIPE_KEY] = recipe
    if reset_widgets:
        for key in [k for k in st.session_state if str(k).startswith(WIDGET_PREFIX)]:
            del st.session_state[key]
        st.session_state[_ERRORS] = {}


def seed_widget(key: str, value: Any) -> None:
    """Give the recipe widget ``key`` its value through session state; create it *without* ``value=``.

    After :func:`set_recipe` drops the widget keys, a widget created again with ``value=`` under the
    same key keeps what the *browser* still shows (same key, same widget), and the browser sends that
    old value back on the next rerun: loading a preset while the Train page was open showed and
    then restored the old learning rate and name. A value set through session state is sent to the
    browser, which then shows it.
    """
    if key not in st.session_state:
        st.session_state[key] = value


def update_recipe(*, reset_widgets: bool = True, **sections: Any) -> Recipe:
    """Replace top-level sections of the draft (``data=..., model=[...]``) and return the new draft.

    Raises:
        RecipeError: the edit is invalid, or changes a control the lesson locks (a LessonError); the
            draft is left as it was.
    """
    new = get_recipe().updated(**sections)
    lesson_state.refuse_locked(get_recipe(), new)
    set_recipe(new, reset_widgets=reset_widgets)
    return new


def replace_recipe(recipe: Recipe) -> None:
    """Make an edited copy of a recipe the draft (a remedy, a sweep's best); refused like
    :func:`update_recipe` when it changes a control the lesson locks."""
    lesson_state.refuse_locked(get_recipe(), recipe)
    set_recipe(recipe)


def widgets_gone(*keys: str) -> bool:
    """For an ``on_change`` callback: True when one of its widgets' keys is no longer in the session, so it
    must do nothing. Several changes can reach the server in one rerun (a slow server, a quick person),
    and an earlier callback (a preset, a lesson, a link, a new kind, Apply) resets the draft's widgets
    first; reading the later one's key then raised KeyError and failed the whole rerun (seen with 30
    sessions on one server)."""
    return any(key not in st.session_state for key in keys)


def try_update(widget_key: str, *, reset_widgets: bool = False, **sections: Any) -> bool:
    """:func:`update_recipe` for a widget callback: a rejected edit is recorded against the widget."""
    try:
        update_recipe(reset_widgets=reset_widgets, **sections)
    except RecipeError as err:
        set_widget_error(widget_key, str(err))
        return False
    clear_widget_error(widget_key)
    return True


# -- widget errors (UI only) ----------------------------------------------------------------------


def _errors() -> dict[str, str]:
    return st.session_state.setdefault(_ERRORS, {})


def set_widget_error(key: str, message: str) -> None:
    _errors()[key] = message


def clear_widget_error(key: str) -> None:
    _errors().pop(key, None)


def widget_error(key: str) -> str | None:
    return _errors().get(key)


def set_notice(message: str) -> None:
    """A sentence to show once, on the next run of the page (e.g. what a button just changed)."""
    st.session_state[_NOTICE] = message


def pop_notice() -> str | None:
    """The notice set since the last call, if any (it is shown once)."""
    return st.session_state.pop(_NOTICE, None)


# -- shared links ---------------------------------------------------------------------------------


def new_link_token(param: str) -> str | None:
    """The recipe token in the URL's ``param`` when this session has not read it yet (each link is read
    once: the draft's later edits are not undone by the next rerun, while a refresh reads it again)."""
    token = st.query_params.get(param)
    if not token or st.session_state.get(_LINK) == token:
        return None
    st.session_state[_LINK] = token
    return token


def drop_query_param(param: str) -> None:
    if param in st.query_params:
        del st.query_params[param]


# -- the plane of the decision boundary (UI only: a setting of the next run's probe) ---------------

PLANE_KIND, PLANE_X, PLANE_Y = "train.plane", "train.plane.x", "train.plane.y"  # the Train page's widgets
_PLANE = "studio.plane"  # (kind, x feature, y feature) as last drawn: kept when the widgets are not on the page


def saved_plane() -> tuple[str | None, str | None, str | None]:
    """The plane the Train page's widgets last showed: (kind, x feature, y feature), None where never set."""
    return st.session_state.get(_PLANE) or (None, None, None)


def save_plane(kind: str | None, x: str | None, y: str | None) -> None:
    st.session_state[_PLANE] = (kind, x, y)


def seed_choice(key: str, options: list[str], saved: str | None) -> None:
    """Before a choice widget ``key`` is drawn: forget a value that is not among ``options`` (other data),
    and give it ``saved`` when Streamlit dropped it (the page was left), if that is an option."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    if saved in options:
        seed_widget(key, saved)


# -- run id and owner -----------------------------------------------------------------------------


def get_run_id() -> str | None:
    """The run this tab watches: this session's, else the one in the URL (after a refresh).

    A run found in the URL is kept in the session, so switching pages does not lose it.
    """
    run = st.session_state.get(_RUN)
    if not run:
        run = st.query_params.get("run")
        if run:
            st.session_state[_RUN] = run
    return run or None


def set_run_id(run_id: str | None) -> None:
    st.session_state[_RUN] = run_id
    if run_id:
        st.query_params["run"] = run_id
    elif "run" in st.query_params:
        del st.query_params["run"]


def owner_token() -> str:
    """A random token per browser tab lineage, kept in the URL so that a refresh keeps it."""
    token = st.session_state.get(_OWNER) or st.query_params.get("owner")
    if not token:
        token = secrets.token_urlsafe(12)
    st.session_state[_OWNER] = token
    return token


def user_key() -> str:
    """Who this browser is, as runs record it on disk (owner.json "user"): a hash of the owner token,
    so that nothing on disk lets anyone act as this browser."""
    return hashlib.sha256(f"studio-user:{owner_token()}".encode()).hexdigest()[:32]


def runs_user() -> str | None:
    """The user whose runs this session lists: its own, or None (everyone's) on a shared-runs server."""
    return None if settings.shared_runs() else user_key()


def sync_url() -> None:
    """Write the run id, owner, A/B pair and projector mode back to the URL (page navigation may have dropped them)."""
    owner = owner_token()
    if st.query_params.get("owner") != owner:
        st.query_params["owner"] = owner
    run = get_run_id()
    if run and st.query_params.get("run") != run:
        st.query_params["run"] = run
    lesson_state.sync_projector_param()
    pair = st.session_state.get(_PAIR)
    if pair and st.query_params.get(PAIR_PARAM) != pair:
        st.query_params[PAIR_PARAM] = pair


def get_pair_ids() -> tuple[str, str] | None:
    """The A/B pair this tab watches (run ids of A and B): this session's, else the URL's ``?ab=A.B``."""
    raw = st.session_state.get(_PAIR) or st.query_params.get(PAIR_PARAM) or ""
    ids = tuple(raw.split(".")) if isinstance(raw, str) else ()
    if len(ids) != 2 or not all(ids):
        return None
    st.session_state[_PAIR] = raw
    return ids[0], ids[1]


def set_pair_ids(a: str, b: str) -> None:
    """Watch the runs ``a`` and ``b`` as an A/B pair (kept in the URL too, so a refresh re-attaches)."""
    st.session_state[_PAIR] = f"{a}.{b}"  # run ids are URL-safe base64: no "." inside one
    st.query_params[PAIR_PARAM] = st.session_state[_PAIR]


def get_sweep_id() -> str | None:
    """The sweep job this session started last (the Sweep page watches it)."""
    return st.session_state.get(_SWEEP)


def set_sweep_id(sweep_id: str | None) -> None:
    st.session_state[_SWEEP] = sweep_id


def get_compress_id() -> str | None:
    """The prune or distill job this session started last (the Export page watches it)."""
    return st.session_state.get(_COMPRESS)


def set_compress_id(job_id: str | None) -> None:
    st.session_state[_COMPRESS] = job_id


# -- uploads --------------------------------------------------------------------------------------


def begin_run() -> None:
    """Housekeeping at the start of every script run.

    The first run of a session deletes other sessions' upload folders that are older than the
    configured age; every run holds on to this session's own folder (see :mod:`components.uploads`).
    """
    if not st.session_state.get(_STARTED):
        st.session_state[_STARTED] = True
        uploads.sweep(settings.upload_max_age_seconds())
    path = st.session_state.get(_UPLOADS)
    if path is not None and Path(path).is_dir():
        uploads.claim(str(path))


def upload_dir() -> Path:
    """This session's own folder for uploaded files (never shared between sessions)."""
    path = st.session_state.get(_UPLOADS)
    if path is None or not Path(path).is_dir():
        path = str(uploads.new_folder())
        st.session_state[_UPLOADS] = path
    uploads.claim(path)
    return Path(path)


def safe_file_name(name: str, fallback: str) -> str:
    """``name`` without folders, leading dots, or characters other than letters, digits, ``.``, ``_``
    and ``-`` (``fallback`` when nothing is left)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name.replace("\\", "/")).name)[-80:].lstrip(".")
    return safe or fallback


def save_upload(uploaded: Any, fallback_name: str, folder: str = "") -> Path:
    """Keep an uploaded file in this session's folder under its own (safe) name, so a recipe can name
    it as ``csv:sales.csv`` and a downloaded recipe carries no server path. ``folder``: a sub-folder."""
    target = upload_dir() / folder if folder else upload_dir()
    return write_bytes_atomic(target / safe_file_name(uploaded.name, fallback_name), uploaded.getvalue())


def data_access() -> DataAccess:
    """Which files this session's recipes may read: its own uploads, then the server's data folders
    (nothing at all before the session uploads anything and without data folders)."""
    path = st.session_state.get(_UPLOADS)
    return DataAccess.confined(*([path] if path else []), *settings.data_dirs())


# -- derived --------------------------------------------------------------------------------------


def train_blocked_reason() -> str | None:
    """Why the draft cannot be trained (the engine's sentence), or None when it can."""
    from components import engine  # late: engine imports torch-heavy modules

    recipe = get_recipe()
    try:
        engine.model_summary(recipe)
    except StudioError as err:
        return str(err)
    source = recipe.training.init_from
    if source is not None and not _own_run(source):
        return ("training.init_from names a run that is not one of yours on this server; choose one under "
                "'Start from run…' (Epochs & device)")
    return None


def _own_run(path: str) -> bool:
    """Whether ``path`` is a run this session may list (so the app never reads another's weights)."""
    from studio.runs import list_runs

    return any(str(r.path) == path for r in list_runs(settings.runs_dir(), runs_user()))

"""In the app a recipe reads only this session's uploads and the server's data folders: any other path
is refused with one sentence and never opened; a file the session does not have is asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.components.helpers import APP, TIMEOUT, by_key, clean, load_recipe, recipe, texts

CSV = "a,b,label\n" + "\n".join(f"{i},{(i * 7) % 11},{'x' if i % 3 else 'y'}" for i in range(60)) + "\n"


def upload_csv(at: AppTest, name: str, content: str) -> AppTest:
    by_key(at.get("file_uploader"), "data.csv").upload(name, content.encode(), "text/csv")
    return at.run()


def _columns(at: AppTest) -> set[str]:
    table = next(df.value for df in at.dataframe if "role" in df.value.columns)
    return set(table["column"])


@pytest.mark.parametrize("secret", ["/etc/passwd", "SECRET"])
def test_a_recipe_naming_a_server_file_is_refused_and_never_read(at, reads, tmp_path, secret):
    if secret == "SECRET":  # a readable CSV elsewhere on the server, e.g. another session's upload
        secret = str(tmp_path / "secret.csv")
        Path(secret).write_text("SECRET_COLUMN,label\n1,x\n2,y\n")
    load_recipe(at, {"source": f"csv:{secret}", "target": "label"})
    assert not at.exception
    assert len(at.error) == 1, texts(at.error)
    sentence = texts(at.error)
    assert secret in sentence and "upload" in sentence and len(sentence) <= 300
    assert reads == []
    assert "SECRET_COLUMN" not in str([s.options for s in at.selectbox])
    assert by_key(at.radio, "data.mode").value == "Upload a CSV"  # the way out is right there


def test_a_recipe_naming_a_file_this_session_lacks_asks_for_it(at, reads):
    load_recipe(at, {"source": "csv:sales.csv", "target": "a", "task": "regression",
                     "options": {"delimiter": ";"}})
    assert not at.exception and not at.error, texts(at.error)
    assert "This recipe reads sales.csv: upload it" in texts(at.info)
    assert reads == []
    upload_csv(at, "sales.csv", CSV.replace(",", ";"))
    clean(at)
    data = recipe(at).data  # the recipe's own settings are kept, not reset for a new file
    assert data.source == "csv:sales.csv" and data.target == "a" and data.task == "regression"
    assert data.options == {"delimiter": ";"}
    assert _columns(at) == {"a", "b", "label"}


def test_the_servers_data_folder_is_readable_by_name(at, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "shared.csv").write_text(CSV)
    monkeypatch.setenv("STUDIO_DATA_DIRS", str(folder))
    load_recipe(at, {"source": "csv:shared.csv", "target": "label"})
    clean(at)
    assert _columns(at) == {"a", "b", "label"}
    load_recipe(at, {"source": f"csv:{folder / 'shared.csv'}", "target": "label"}, "again.json")
    clean(at)
    assert _columns(at) == {"a", "b", "label"}


def test_two_sessions_naming_the_same_file_never_share_a_table(uploads_dir):
    """``st.cache_data`` is one cache for the whole server; the key holds the file as resolved for
    the session, so B never gets A's cached table by naming A's file."""
    a, b = (AppTest.from_file(str(APP), default_timeout=TIMEOUT) for _ in range(2))
    a.query_params["owner"], b.query_params["owner"] = "owner-a", "owner-b"
    a.run()
    b.run()
    by_key(a.radio, "data.mode").set_value("Upload a CSV").run()
    upload_csv(a, "same.csv", CSV)
    clean(a)
    assert _columns(a) == {"a", "b", "label"}
    load_recipe(b, recipe(a).data.model_dump(mode="json"))
    assert not b.exception and not b.error, texts(b.error)
    assert "This recipe reads same.csv: upload it" in texts(b.info)
    assert not [df for df in b.dataframe if "role" in df.value.columns]  # no table at all
    upload_csv(b, "same.csv", CSV.replace("a,b,label", "p,q,label"))
    clean(b)
    assert _columns(b) == {"p", "q", "label"}
    a.run()
    assert _columns(a) == {"a", "b", "label"}  # and A still sees its own

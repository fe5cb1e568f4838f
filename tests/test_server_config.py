"""The server's settings for sharing a studio on a network: localhost unless asked, no error details
in the browser, XSRF and CORS protection on; both for `streamlit run` (the repository's
.streamlit/config.toml) and for `studio app` (its command line)."""

from __future__ import annotations

import tomllib

from streamlit.config import ShowErrorDetailsConfigOptions

from studio.cli import main
from tests.conftest import ROOT


def test_streamlit_config_is_safe_to_share():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["enableCORS"] is True
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value == "none"


def test_studio_app_passes_the_same_settings(monkeypatch, capsys):
    from studio import app_process

    called: list[tuple[list[str], dict]] = []
    monkeypatch.setattr(app_process, "run_server", lambda cmd, **kw: called.append((cmd, kw)) or 0)
    assert main(["app"]) == 0
    ((cmd, _),) = called
    flags = dict(zip(cmd[::2], cmd[1::2], strict=False)) | dict(zip(cmd[1::2], cmd[2::2], strict=False))
    assert flags["--server.address"] == "localhost"
    assert flags["--client.showErrorDetails"] == "none"
    assert flags["--server.enableXsrfProtection"] == "true" and flags["--server.enableCORS"] == "true"
    capsys.readouterr()


def test_studio_app_passes_the_job_caps_and_refuses_a_bad_one(monkeypatch, capsys):
    from components import settings
    from studio import app_process

    called: list[tuple[list[str], dict]] = []
    monkeypatch.setattr(app_process, "run_server", lambda cmd, env=None: called.append((cmd, env)) or 0)
    assert main(["app", "--max-jobs", "3", "--max-jobs-per-session", "2"]) == 0
    ((cmd, env),) = called
    assert cmd[cmd.index("--server.fileWatcherType") + 1] == "none"  # no re-import under a class's running jobs
    assert env["STUDIO_MAX_JOBS"] == "3" and env["STUDIO_MAX_JOBS_PER_SESSION"] == "2"
    for name, value in env.items():  # the app reads them back
        monkeypatch.setenv(name, value)
    assert settings.max_jobs() == 3 and settings.max_jobs_per_session() == 2
    assert main(["app", "--max-jobs", "0"]) == 2
    assert "--max-jobs: must be a whole number of jobs from 1 to 1000, got '0'" in capsys.readouterr().err
    monkeypatch.setenv("STUDIO_MAX_JOBS", "many")  # set by hand, wrong: the default, not a crash
    assert settings.max_jobs() >= 1

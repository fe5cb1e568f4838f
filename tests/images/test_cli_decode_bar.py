"""`studio train` shows a tqdm bar while it decodes pictures (the app's is st.progress)."""

from __future__ import annotations

from studio.train_cli import DecodeBar


def test_the_bar_counts_pictures_and_closes_at_the_end(capsys):
    bar = DecodeBar()
    for done in (64, 128, 150):
        bar(done, 150)
    assert bar.bar is None  # closed: a later decode starts a new bar
    err = capsys.readouterr().err
    assert "decoding pictures" in err and "/150" in err

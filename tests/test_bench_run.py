"""The speed benchmarks build the words index alone, whatever the shell set (bench.run)."""

from __future__ import annotations

import os

import pytest

from bench.machine import passage_embeddings
from indexer.index import vectors


@pytest.mark.parametrize("before", [None, "1", "0"])
@pytest.mark.parametrize("wanted", [True, False])
def test_builds_embed_as_asked_and_the_setting_comes_back(
    monkeypatch: pytest.MonkeyPatch, before: str | None, wanted: bool
) -> None:
    if before is None:
        monkeypatch.delenv(vectors.ENV, raising=False)
    else:
        monkeypatch.setenv(vectors.ENV, before)
    with passage_embeddings(wanted):
        assert vectors.wanted() is wanted
    assert os.environ.get(vectors.ENV) == before


def test_a_runs_own_outputs_do_not_mark_its_commit_changed(tmp_path) -> None:
    import subprocess

    from bench.machine import environment

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    for name in ("bench/results/search.json", "docs/scale.md", "search_app/engine.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("before\n")
    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "files")
    (tmp_path / "bench/results/search.json").write_text("after\n")
    (tmp_path / "docs/scale.md").write_text("after\n")
    assert not environment(tmp_path)["commit"].endswith("(with uncommitted changes)")
    (tmp_path / "search_app/engine.py").write_text("after\n")
    assert environment(tmp_path)["commit"].endswith("(with uncommitted changes)")

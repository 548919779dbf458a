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

"""Shared fixtures: a small real index built once per session, the app, its client and runner."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from paths import SEED

from indexer.pipeline import run

# Indexes built by tests (and by the commands they start) store no embeddings unless a test
# asks (run(embed=True), --embed): embedding costs some 25 ms a passage, and most tests
# index the same corpora again and again. tests/test_hybrid.py embeds a small corpus once.
os.environ.setdefault("REPORT_SEARCH_EMBED", "0")

# name -> (text, sidecar overrides). Small documents with known words, for ranking tests.
DOCUMENTS: dict[str, tuple[str, dict]] = {
    "nurses.txt": (
        "Ethical recruitment of health personnel\n\n"
        "The WHO Global Code of Practice asks destination countries to recruit nurses "
        "ethically. Ethical recruitment protects health systems in countries of origin.\n\n"
        "Nurses and midwives leave for better pay. Recruitment agencies are regulated.\n",
        {"date": "2010-05-21", "doc_type": "report", "country": ["Philippines"]},
    ),
    "climate.md": (
        "# Climate finance\n\n"
        "Adaptation finance for small islands: climate finance must reach adaptation "
        "projects.\n\n"
        "## Finance only\n\n"
        "Finance finance finance. Finance ministries discussed finance and more finance.\n\n"
        "## Adaptation only\n\n"
        "Adaptation adaptation adaptation in agriculture; adaptation plans.\n",
        {"date": "2021-11-01", "doc_type": "report", "country": ["Fiji", "Tuvalu"]},
    ),
    "escape.txt": (
        "Markup in reports\n\n"
        "A report once contained <script>alert('x')</script> & other markup about "
        "remittances sent home by migrants.\n",
        {"date": "2015-03-02", "doc_type": "note", "country": ["Mexico"]},
    ),
    "remittances.txt": (
        "Remittances and development\n\n"
        "Remittances sent by migrant workers exceed official development assistance. "
        "The World Bank tracks remittance costs.\n\n"
        "Lowering the cost of remittances was a goal of the G20.\n",
        {"date": "2015-09-30", "doc_type": "report", "country": ["Mexico", "India"]},
    ),
}


def write_corpus(root: Path) -> Path:
    """The test corpus: the seed report and the small documents above, with sidecars."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / (SEED.name + ".meta.json")).write_text(
        json.dumps({"date": "2009-12-01", "doc_type": "report"}), "utf-8"
    )
    for name, (text, meta) in DOCUMENTS.items():
        (corpus / name).write_text(text, "utf-8")
        (corpus / (name + ".meta.json")).write_text(json.dumps(meta), "utf-8")
    return corpus


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="session")
def small_index(corpus_dir: Path) -> Path:
    """A real index of the test corpus, built once per session; returns the index folder."""
    index_dir = corpus_dir.parent / "index"
    report = run([corpus_dir], index_dir, workers=1)
    failures = report.summary()["failures"]
    assert not failures, failures
    return index_dir


@pytest.fixture
def app(small_index: Path, corpus_dir: Path):
    from search_app.web import create_app

    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(small_index),
            "CORPUS_DIRS": [str(corpus_dir)],
            "API_TOKEN": "",
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()

"""One report, one result: the same text in two formats, and near-identical documents, are
found at index time, searched and counted once, and both files stay reachable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import REPO, SEED

from indexer import duplicates
from indexer.index import generations
from indexer.pipeline import run
from search_app.cli import main
from search_app.web import create_app

SEED_PDF = REPO / "corpus" / "unitar-migration-2009.pdf"
QUERY = "health workers emigration"
OTHER = (
    "Remittances and development\n\n"
    + "Remittances sent by migrant workers exceed official development assistance. " * 5
)


def seed_variant() -> str:
    """The seed report with its first paragraph rewritten: near-identical, not the same."""
    text = SEED.read_text("utf-8")
    blocks = text.split("\n\n")
    index = next(i for i, b in enumerate(blocks) if len(b.split()) > 60)
    blocks[index] = "This paragraph was rewritten for the revised edition of the report."
    return "\n\n".join(blocks)


def corpus_with_copies(root: Path) -> Path:
    corpus = root / "shelf"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    shutil.copy(SEED_PDF, corpus / "seed.pdf")
    (corpus / "other.txt").write_text(OTHER, "utf-8")
    return corpus


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("copies")
    corpus = corpus_with_copies(root)
    report = run([corpus], root / "index", workers=1)
    assert not report.summary()["failures"]
    return corpus, root / "index"


@pytest.fixture
def client(shelf):
    corpus, index = shelf
    app = create_app({"TESTING": True, "INDEX_DIR": str(index), "CORPUS_DIRS": [str(corpus)]})
    return app.test_client()


def live_files(index: Path) -> tuple[dict, dict]:
    generation, _ = generations.live_generation(index)
    manifest = generations.load_manifest(generation)
    return manifest, json.loads((generation / generations.REPORT).read_text("utf-8"))


def test_the_text_and_the_pdf_are_one_group_in_the_manifest_and_the_report(shelf):
    _, index = shelf
    manifest, report = live_files(index)
    assert report["duplicates"] == [
        {
            "representative": "shelf/seed.pdf",
            "copies": ["shelf/seed.txt"],
            "same_text": True,
            "similarity": 1.0,
        }
    ]
    assert manifest["shelf/seed.pdf"]["copies"] == ["shelf/seed.txt"]
    assert manifest["shelf/seed.txt"]["duplicate_of"] == "shelf/seed.pdf"
    assert "copies" not in manifest["shelf/other.txt"]


def test_search_shows_the_report_once_with_its_other_file(client):
    for group in ("document", "passage"):
        body = client.get(f"/api/search?q={QUERY}&group={group}&per_page=50").get_json()
        ids = {r["document_id"] for r in body["results"]}
        assert "shelf/seed.pdf" in ids and "shelf/seed.txt" not in ids, group
    first = next(r for r in body["results"] if r["document_id"] == "shelf/seed.pdf")
    assert [(c["document_id"], c["format_name"]) for c in first["copies"]] == [
        ("shelf/seed.txt", "text")
    ]
    assert client.get(first["copies"][0]["file_url"]).status_code == 200
    page = client.get(f"/search?q={QUERY}").get_data(as_text=True)
    assert page.count('class="copies"') == 1 and ">text</a>" in page


def test_facets_and_listings_count_the_report_once(client):
    body = client.get("/api/search?q=migration").get_json()
    assert body["total_documents"] == 1
    listing = client.get("/api/documents?per_page=50").get_json()
    assert sorted(d["document_id"] for d in listing["documents"]) == [
        "shelf/other.txt",
        "shelf/seed.pdf",
    ]
    everything = client.get("/api/search?group=passage").get_json()
    years = {v["value"]: v["count"] for v in everything["facets"]["year"]}
    passages = client.get("/api/documents/shelf/seed.pdf").get_json()["passages"]
    assert years == {2009: len(passages)}  # the text copy's passages are not counted again
    reports = client.get("/api/search").get_json()
    assert {v["value"]: v["count"] for v in reports["facets"]["year"]} == {2009: 1}


def test_the_copy_has_its_own_page_and_file(client):
    page = client.get("/documents/shelf/seed.txt?q=emigration")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Same report as" in html and 'href="/documents/shelf/seed.pdf"' in html
    doc = client.get("/api/documents/shelf/seed.txt").get_json()
    assert doc["duplicate_of"] == "shelf/seed.pdf" and doc["format"] == "text"
    assert doc["passages"] and doc["copies"][0]["document_id"] == "shelf/seed.pdf"
    assert client.get("/api/documents/shelf/seed.txt/file").data == SEED.read_bytes()


def test_stats_list_the_groups(shelf, client):
    stats = client.get("/api/stats").get_json()
    assert stats["duplicates"] == [
        {"representative": "shelf/seed.pdf", "copies": ["shelf/seed.txt"]}
    ]
    result = CliRunner().invoke(main, ["stats", "--index-dir", str(shelf[1])])
    assert result.exit_code == 0, result.output
    assert "shelf/seed.pdf (shown), also shelf/seed.txt" in result.output


def test_removing_the_shown_file_makes_its_copy_searchable(tmp_path: Path):
    corpus = corpus_with_copies(tmp_path)
    index = tmp_path / "index"
    run([corpus], index, workers=1)
    (corpus / "seed.pdf").unlink()
    run([corpus], index, workers=1)  # incremental: the text file was unchanged
    manifest, report = live_files(index)
    assert report["duplicates"] == [] and "duplicate_of" not in manifest["shelf/seed.txt"]
    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    body = client.get(f"/api/search?q={QUERY}").get_json()
    [first] = [r for r in body["results"] if r["document_id"] != "shelf/other.txt"]
    assert first["document_id"] == "shelf/seed.txt"
    assert first["page_start"] is None and first["paragraph"] >= 1 and first["copies"] == []
    # And back: the PDF returns, becomes the shown one (it has pages), the text its copy.
    shutil.copy(SEED_PDF, corpus / "seed.pdf")
    run([corpus], index, workers=1)
    body = client.get(f"/api/search?q={QUERY}&group=passage&per_page=50").get_json()
    found = [*body["results"], *body["some_words"]["results"]]
    assert {r["document_id"] for r in found} == {"shelf/seed.pdf", "shelf/other.txt"}


def test_a_revised_edition_is_near_identical(tmp_path: Path):
    corpus = tmp_path / "shelf"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    (corpus / "seed-revised.txt").write_text(seed_variant(), "utf-8")
    (corpus / "other.txt").write_text(OTHER, "utf-8")
    report = run([corpus], tmp_path / "index", workers=1)
    [group] = report.duplicates
    members = {group["representative"], *group["copies"]}
    assert members == {"shelf/seed.txt", "shelf/seed-revised.txt"}
    assert group["same_text"] is False and 0.9 <= group["similarity"] < 1.0


def indexed_signature(words: str):
    """The signature of a document made of these words (via the real indexer pieces)."""
    from indexer.models import Document, IndexedDocument, Page
    from indexer.structure import build_passages

    document = Document("x/a.txt", "/x/a.txt", "text", "0" * 64, (Page(1, words),))
    _, passages = build_passages(document)
    return duplicates.signature(IndexedDocument(document, "", (), passages))


def test_documents_with_different_symbols_are_never_grouped():
    text = " ".join(f"word{i}" for i in range(300))
    signatures = {"a.pdf": indexed_signature(text), "b.pdf": indexed_signature(text)}

    def records(a: list[str], b: list[str]) -> dict:
        return {
            "a.pdf": {"format": "pdf", "metadata": {"symbol": a}},
            "b.pdf": {"format": "pdf", "metadata": {"symbol": b}},
        }

    assert duplicates.find_groups(signatures, records(["A/78/375"], ["A/78/375/Add.1"])) == []
    [group] = duplicates.find_groups(signatures, records(["A/78/375"], []))
    assert (group.representative, group.copies) == ("a.pdf", ("b.pdf",))
    other = {**signatures, "b.pdf": indexed_signature(" ".join(f"w{i}" for i in range(300)))}
    assert duplicates.find_groups(other, records([], [])) == []


@pytest.mark.parametrize("count", [0, 1, 4, 5, 6, 300])
def test_shingles_hashed_in_one_pass_make_datasketchs_own_minhash(count: int):
    """`signature` hashes the shingles itself: the MinHash is the one datasketch makes with
    its default hash function, for texts shorter and longer than a shingle."""
    from datasketch import MinHash

    words = [f"w{i % 37}" for i in range(count)] + ["été", "ünïcode"] * (count > 5)
    own = MinHash(num_perm=duplicates.NUM_PERM, seed=1, scheme=duplicates.SCHEME)
    size = duplicates.SHINGLE_WORDS
    own.update_batch([" ".join(words[i : i + size]).encode() for i in range(len(words))])
    fast = MinHash(num_perm=duplicates.NUM_PERM, seed=1, scheme=duplicates.SCHEME, hashfunc=int)
    fast.update_batch(duplicates.shingle_hashes(words))
    assert fast.hashvalues.tolist() == own.hashvalues.tolist()

"""No single file or value stops a run: validated metadata, per-file isolation in the writer,
names that cannot be addressed, one body limit, the manifest published with its commit.

Issue 16, defects 3, 5 (clean-up), 6 (the manifest and the commit), 7, 8 and 9.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest

from indexer.index import generations
from indexer.index.writer import DocumentError, add_document, commit, open_writer
from indexer.models import Document, IndexedDocument, Page, Passage
from indexer.pipeline import run
from search_app.web import create_app

TEXT = "Migration and development\n\n" + "Remittances support families at home. " * 30
SPEECHES = sorted((Path(__file__).resolve().parents[1] / "corpus" / "ungdc" / "2023").glob("*.txt"))

# Sidecar texts as a hostile or careless editor writes them: each value is one that stopped
# the whole run, or was taken without a word, before the metadata was validated.
BAD_SIDECARS = {
    "negative-year": ('{"year": -5}', "year"),
    "huge-year": ('{"year": 99999999999}', "year"),
    "decimal-year": ('{"year": "2009.5"}', "year"),
    "infinite-year": ('{"year": 1e400}', "year"),
    "nan-topic": ('{"topic": NaN}', "topic"),
    "surrogate-title": ('{"title": "Bad \\ud800 title"}', "title"),
    "nested-topic": ('{"topic": {"a": {"b": 1}}}', "topic"),
    "huge-topic": (json.dumps({"topic": "x" * 2_000_000}), "topic"),
    "impossible-date": ('{"date": "2009-13-45"}', "date"),
    "not-an-object": ("[1, 2]", "not a JSON object"),
}


def index_app(index_dir: Path):
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_UP": False})


def by_name(report) -> dict[str, object]:
    return {Path(f.path).name: f for f in report.files}


# ---------------------------------------------------------------- metadata


@pytest.fixture(scope="module")
def hostile_metadata(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("metadata")
    corpus = base / "corpus"
    corpus.mkdir()
    # Different texts: copies of one text would be grouped, and only one kept searchable.
    speeches = iter(SPEECHES)
    for name, (sidecar, _) in BAD_SIDECARS.items():
        shutil.copy(next(speeches), corpus / f"{name}.txt")
        (corpus / f"{name}.txt.meta.json").write_text(sidecar, "utf-8")
    (corpus / "csv").mkdir()
    shutil.copy(next(speeches), corpus / "csv" / "typo.txt")
    (corpus / "csv" / "metadata.csv").write_text("file,year,country\ntypo.txt,20O9,Peru\n", "utf-8")
    (corpus / "latin1").mkdir()
    shutil.copy(next(speeches), corpus / "latin1" / "accent.txt")
    (corpus / "latin1" / "metadata.csv").write_bytes(b"file,country\naccent.txt,Per\xfa\n")
    shutil.copy(next(speeches), corpus / "good.txt")
    (corpus / "good.txt.meta.json").write_text('{"year": 2009, "topic": ["remittances"]}')
    report = run([corpus], base / "index", workers=1)
    return {"report": report, "index": base / "index"}


def test_bad_metadata_values_do_not_stop_the_run(hostile_metadata) -> None:
    report = hostile_metadata["report"]
    assert report.counts() == {"indexed": len(BAD_SIDECARS) + 3}, report.summary()
    listed = _api(hostile_metadata, "/api/documents?per_page=100")["documents"]
    assert len(listed) == len(BAD_SIDECARS) + 3


@pytest.mark.parametrize("name", sorted(BAD_SIDECARS))
def test_each_bad_sidecar_value_is_reported_and_left_out(hostile_metadata, name: str) -> None:
    status = by_name(hostile_metadata["report"])[f"{name}.txt"]
    assert status.status == "indexed"
    [warning] = status.warnings
    assert f"{name}.txt.meta.json" in warning  # where
    assert BAD_SIDECARS[name][1] in warning  # what
    record = generations.load_manifest(generations.current_generation(hostile_metadata["index"]))
    metadata = record[f"corpus/{name}.txt"]["metadata"]
    assert record[f"corpus/{name}.txt"]["title"] != "Bad \ud800 title"
    assert all(len(str(v)) < 10_000 for v in metadata.get("topic", ()))
    assert metadata.get("date") != "2009-13-45"
    assert all(str(y).isdigit() and len(str(y)) == 4 for y in metadata.get("year", ()))


def test_good_sidecar_values_are_used(hostile_metadata) -> None:
    status = by_name(hostile_metadata["report"])["good.txt"]
    assert status.warnings == ()
    document = _api(hostile_metadata, "/api/documents/corpus/good.txt")
    assert document["metadata"]["year"] == ["2009"]
    assert document["metadata"]["topic"] == ["remittances"]


def test_a_bad_csv_row_value_and_an_unreadable_csv_are_reported(hostile_metadata) -> None:
    files = by_name(hostile_metadata["report"])
    [typo] = files["typo.txt"].warnings
    assert "csv/metadata.csv line 2" in typo and "'20O9' is not a year" in typo
    [latin1] = files["accent.txt"].warnings
    assert "latin1/metadata.csv: not UTF-8 text" in latin1
    saved = json.loads(
        (generations.current_generation(hostile_metadata["index"]) / "report.json").read_text()
    )
    warned = {Path(f["path"]).name: f["warnings"] for f in saved["per_file"]}
    assert warned["typo.txt"] == [typo]
    document = _api(hostile_metadata, "/api/documents/corpus/csv/typo.txt")
    assert document["metadata"]["country"] == ["Peru"]  # the row's good value is kept


def _api(indexed: dict[str, object], path: str) -> dict:
    response = index_app(indexed["index"]).test_client().get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# ---------------------------------------------------------------- the writer


def _document(document_id: str, title: str, year: str) -> IndexedDocument:
    document = Document(document_id, f"/nowhere/{document_id}", "text", "0" * 64, (Page(1, TEXT),))
    passage = Passage(document_id, 0, TEXT, (TEXT,), (), 0, 0, {"year": (year,)})
    return IndexedDocument(document, title, (), (passage, replace(passage, ordinal=1)))


@pytest.mark.parametrize(
    ("title", "year"), [("Fine", "20O9"), ("Fine", "-5"), ("Bad \ud800", "2009")]
)
def test_the_writer_refuses_a_bad_document_whole_and_goes_on(
    tmp_path: Path, title: str, year: str
) -> None:
    generation = generations.new_generation(tmp_path)
    index = generations.open_generation(generation)
    writer = open_writer(index)
    add_document(writer, _document("c/good.txt", "Good", "2009"))
    with pytest.raises(DocumentError):
        add_document(writer, _document("c/bad.txt", title, year))
    add_document(writer, _document("c/after.txt", "After", "2010"))
    commit(writer)
    with index.searcher() as searcher:
        stored = list(searcher.all_stored_fields())
    assert sorted(f["passage_id"] for f in stored) == [
        "c/after.txt#0",
        "c/after.txt#1",
        "c/good.txt#0",
        "c/good.txt#1",
    ]


# ---------------------------------------------------------------- names


def test_unaddressable_license_and_hidden_files_are_skipped_by_rule(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(TEXT, "utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(TEXT, "utf-8")
    (corpus / "line\nbreak.txt").write_text(TEXT, "utf-8")
    (corpus / "carriage\rreturn.txt").write_text(TEXT, "utf-8")
    for name in ("LICENSE.pdfs.txt", "COPYING.md", "readme-first.txt", ".hidden.txt"):
        (corpus / name).write_text(TEXT, "utf-8")
    (corpus / "licensed-work.txt").write_text(TEXT, "utf-8")  # a report, not a licence
    (corpus / "link.txt").symlink_to(outside)

    report = run([corpus], tmp_path / "index", workers=1)

    statuses = {f.document_id: (f.status, f.reason) for f in report.files}
    assert statuses == {
        "corpus/good.txt": ("indexed", ""),
        "corpus/licensed-work.txt": ("indexed", ""),
        "corpus/line\\nbreak.txt": ("skipped", "unaddressable-name"),
        "corpus/carriage\\rreturn.txt": ("skipped", "unaddressable-name"),
        "corpus/link.txt": ("skipped", "outside-corpus"),
    }
    assert all(f.error for f in report.files if f.status == "skipped")
    saved = (generations.current_generation(tmp_path / "index") / "report.json").read_text()
    assert "unaddressable-name" in saved and "outside-corpus" in saved


# ---------------------------------------------------------------- the web app


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("web")
    (base / "corpus").mkdir()
    (base / "corpus" / "a.txt").write_text(TEXT, "utf-8")
    run([base / "corpus"], base / "index", workers=1)
    return base / "index"


@pytest.mark.parametrize(
    "path", ["/search?q=migration", "/", "/documents/corpus/a.txt", "/api/search?q=x", "/nope"]
)
def test_one_body_limit_for_every_route(small_index: Path, path: str) -> None:
    client = index_app(small_index).test_client()
    response = client.get(path, data=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert client.get(path, data=b"x" * 1000).status_code != 413


def test_suggest_refuses_repeated_parameters_as_search_does(small_index: Path) -> None:
    client = index_app(small_index).test_client()
    for query in ({"q": ["mig", "rem"]}, {"q": "mig", "limit": ["2", "3"]}):
        response = client.get("/api/suggest?" + urlencode(query, doseq=True))
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_parameter"
    assert client.get("/api/suggest?q=mig&limit=2").status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/documents//x/file", "/api//stats", "/api/documents//corpus/a.txt"]
)
def test_doubled_slashes_in_api_paths_are_json_404s(small_index: Path, path: str) -> None:
    response = index_app(small_index).test_client().get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


# ---------------------------------------------------------------- manifest and commit


def test_a_commit_without_its_manifest_settled_is_read_with_its_own_manifest(
    tmp_path: Path,
) -> None:
    """The state a kill -9 between the Whoosh commit and the manifest's rename leaves."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, "utf-8")
    run([corpus], tmp_path / "index", workers=1)
    live = generations.current_generation(tmp_path / "index")
    manifest = generations.load_manifest(live)
    writer = open_writer(generations.open_generation(live))
    new = _document("corpus/new.txt", "New", "2011")
    add_document(writer, new)
    generations.save_commit_manifest(live, {**manifest, "corpus/new.txt": {}}, writer.generation)
    commit(writer)  # ... and killed here: documents.json is the old one

    assert set(generations.load_manifest(live)) == {"corpus/a.txt", "corpus/new.txt"}
    stats = index_app(tmp_path / "index").test_client().get("/api/stats").get_json()
    assert stats["documents"] == 2
    generations.discard_uncommitted(live)  # what the next run does first
    assert set(json.loads((live / generations.MANIFEST).read_text())) == set(
        generations.load_manifest(live)
    )
    assert not list(live.glob("documents.*.json"))

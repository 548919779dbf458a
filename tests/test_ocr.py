"""OCR of pages without a text layer (issue 14): a scanned copy of the seed report's PDF,
made here with the project's own tool, indexed with the real pipeline and Tesseract."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from paths import REPO
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from indexer.extraction import Limits, extract
from indexer.extraction.ocr import MAX_PIXELS, TESSERACT_ENV, OcrOptions, engine_for, render
from indexer.index import generations
from indexer.pipeline import run
from indexer.samplescan import scanned_pages
from search_app import engine, qa
from search_app.cli import main
from search_app.engine.index_handle import IndexHandle
from search_app.web import create_app

SEED_PDF = REPO / "corpus" / "unitar-migration-2009.pdf"
# The seed questions of tests/test_qa.py.
QUESTIONS = (
    "When did UNITAR take over the chairmanship of the Global Migration Group?",
    "Where was the third Global Forum on Migration and Development held?",
    "How many fact-sheets on the crisis were made available to participants?",
    "Who delivered the joint GMG statement in Athens?",
)

pytestmark = pytest.mark.skipif(
    engine_for(OcrOptions()) is None,
    reason="Tesseract with English data is not installed (`make ocr-deps` installs it)",
)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def save_pdf(images: list[Image.Image], path: Path) -> Path:
    images[0].save(path, "PDF", resolution=200.0, save_all=True, append_images=images[1:])
    return path


def write_pdf(pages: list, path: Path) -> Path:
    writer = PdfWriter()
    for page in pages:
        writer.add_page(page)
    writer.write(path)
    return path


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed PDF's first two pages scanned (image-only), and a PDF of the seed's third
    page as it is (born-digital) followed by the scanned second page."""
    folder = tmp_path_factory.mktemp("scans")
    images = list(scanned_pages(SEED_PDF, dpi=200, pages=[0, 1]))
    scanned = save_pdf(images, folder / "scanned.pdf")
    seed = PdfReader(SEED_PDF)
    write_pdf([seed.pages[2], PdfReader(scanned).pages[1]], folder / "mixed.pdf")
    # The same two files with the text layer instead of the scans.
    (folder / "text").mkdir()
    write_pdf([seed.pages[0], seed.pages[1]], folder / "text" / "scanned.pdf")
    write_pdf([seed.pages[2], seed.pages[1]], folder / "text" / "mixed.pdf")
    noise = Image.fromarray(np.random.default_rng(14).integers(0, 256, (2200, 1700), np.uint8))
    save_pdf([*images, noise], folder / "with-noise.pdf")
    return {"images": folder, "scanned": scanned, "mixed": folder / "mixed.pdf"}


@pytest.fixture(scope="module")
def indexed(scans: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the scanned and the mixed PDF; returns the index folder."""
    corpus = tmp_path_factory.mktemp("ocr") / "corpus"
    corpus.mkdir()
    shutil.copy(scans["scanned"], corpus / "scanned.pdf")
    shutil.copy(scans["mixed"], corpus / "mixed.pdf")
    index_dir = corpus.parent / "index"
    report = run([corpus], index_dir, workers=1)
    assert not report.summary()["failures"], report.summary()["failures"]
    return index_dir


def saved_report(index_dir: Path) -> dict:
    return json.loads((generations.current_generation(index_dir) / generations.REPORT).read_text())


def per_file(index_dir: Path) -> dict[str, dict]:
    return {Path(f["path"]).name: f for f in saved_report(index_dir)["per_file"]}


def document_text(handle: IndexHandle, document_id: str) -> str:
    return "\n".join(p["text"] for p in engine.get_document(handle, document_id)["passages"])


def test_scanned_pages_come_back_as_the_words_of_the_text(indexed: Path):
    truth = extract(SEED_PDF, "seed.pdf", Limits(ocr=OcrOptions(mode="off")))
    expected = words(truth.pages[0].text + "\n" + truth.pages[1].text)
    found = set(words(document_text(IndexHandle(indexed), "corpus/scanned.pdf")))
    recovered = sum(word in found for word in expected) / len(expected)
    assert recovered >= 0.97, recovered
    ocr = per_file(indexed)["scanned.pdf"]["ocr"]
    assert ocr["pages"] == [1, 2] and ocr["failed"] == []
    assert ocr["confidence"] > 80 and ocr["seconds"] > 0


def best_answer(handle: IndexHandle, question: str) -> tuple | None:
    """The answer, its section and page; None for "no answer found"."""
    found = qa.ask(handle, question)["answers"]
    return (found[0]["answer"], found[0]["section"], found[0]["page_start"]) if found else None


def test_the_seed_questions_are_answered_from_the_scan_as_from_the_text(
    indexed: Path, scans: dict[str, Path], tmp_path: Path
):
    corpus = tmp_path / "corpus"
    shutil.copytree(scans["images"] / "text", corpus)
    run([corpus], tmp_path / "index", workers=1, limits=Limits(ocr=OcrOptions(mode="off")))
    from_text, from_scan = IndexHandle(tmp_path / "index"), IndexHandle(indexed)
    for question in QUESTIONS:
        assert best_answer(from_scan, question) == best_answer(from_text, question), question
    best = qa.ask(from_scan, QUESTIONS[0], filters={"source": ["OCR"]})["answers"][0]
    assert best["answer"] == "1 June 2009" and best["document_id"] == "corpus/scanned.pdf"
    assert best["section"].startswith("A. UNITAR CHAIRMANSHIP OF THE GLOBAL MIGRATION GROUP")
    assert "<mark>1 June 2009</mark>" in best["snippet"] and best["page_start"] == 1


def test_passages_read_by_ocr_are_marked(indexed: Path):
    app = create_app({"TESTING": True, "INDEX_DIR": str(indexed), "API_TOKEN": ""})
    client = app.test_client()
    # The mixed file: page 1 from its text layer, page 2 read by OCR.
    ocr = client.get("/api/search?q=migration&group=passage&source=OCR&per_page=50").get_json()
    text = client.get("/api/search?q=migration&group=passage&source=text&per_page=50").get_json()
    assert {r["document_id"] for r in ocr["results"]} == {"corpus/scanned.pdf", "corpus/mixed.pdf"}
    assert {r["document_id"] for r in text["results"]} == {"corpus/mixed.pdf"}
    assert all(r["page_start"] == 1 for r in text["results"])
    assert {r["page_end"] for r in ocr["results"] if r["document_id"] == "corpus/mixed.pdf"} == {2}
    counts = {v["value"]: v["count"] for v in ocr["facets"]["source"]}
    assert counts == {"OCR": len(ocr["results"]), "text": len(text["results"])}
    page = client.get("/documents/corpus/mixed.pdf?q=migration").get_data(as_text=True)
    assert "Page 2 was read by OCR" in page
    assert "Pages 1-2 were read by OCR" in client.get("/documents/corpus/scanned.pdf").text
    assert per_file(indexed)["mixed.pdf"]["ocr"]["pages"] == [2]
    stats = client.get("/api/stats").get_json()["ocr"]
    assert stats["documents"] == 2 and stats["pages"] == 3 and stats["needs_ocr"] == []


def test_a_rebuild_reads_no_page_twice(indexed: Path):
    corpus = Path(saved_report(indexed)["per_file"][0]["path"]).parent
    report = run([corpus], indexed, rebuild=True, workers=1)
    ocr = report.summary()["ocr"]
    assert ocr["pages"] == 3 and ocr["cache_hits"] == 3
    assert not report.summary()["failures"]


def test_a_page_over_its_time_limit_is_skipped_and_the_rest_indexed(
    indexed: Path, scans: dict[str, Path], tmp_path: Path
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(scans["images"] / "with-noise.pdf", corpus / "with-noise.pdf")
    # The two scanned pages are in the cache from `indexed`; the noise page is not, and
    # Tesseract cannot finish a page of noise in a second.
    cache = str(indexed / "ocr-cache")
    limits = Limits(ocr=OcrOptions(page_seconds=1.0, cache_dir=cache))
    report = run([corpus], tmp_path / "index", workers=1, limits=limits)
    [status] = report.files
    assert status.status == "indexed", status.error
    assert status.ocr.pages == (1, 2) and status.ocr.cache_hits == 2
    assert status.ocr.failed == (3,) and "gave up after" in status.ocr.errors[0]
    assert report.summary()["ocr"]["failed_pages"][0]["pages"] == "3"


def test_without_tesseract_indexing_goes_on_and_says_what_needs_ocr(
    indexed: Path, scans: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(TESSERACT_ENV, str(tmp_path / "no" / "tesseract"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(scans["scanned"], corpus / "scanned.pdf")
    shutil.copy(scans["mixed"], corpus / "mixed.pdf")
    index_dir = tmp_path / "index"
    result = CliRunner().invoke(main, ["index", str(corpus), "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    found = per_file(index_dir)
    assert found["scanned.pdf"]["status"] == "failed"
    assert found["scanned.pdf"]["reason"] == "no-text"
    assert "apt-get install tesseract-ocr" in found["scanned.pdf"]["error"]
    assert found["scanned.pdf"]["ocr"]["needed"] == [1, 2]
    # The born-digital page is indexed; the scanned one is listed as needing OCR.
    assert found["mixed.pdf"]["status"] == "indexed"
    assert found["mixed.pdf"]["ocr"]["needed"] == [2]
    assert "2 files need OCR" in result.output
    stats = CliRunner().invoke(main, ["stats", "--index-dir", str(index_dir)])
    assert "Tesseract not installed" in stats.output
    assert "2 files need OCR: install Tesseract" in stats.output
    # By document id, the path below the corpus folder (the same list is public in /api/stats).
    assert "needs OCR (pages 1-2): corpus/scanned.pdf" in stats.output
    assert "needs OCR (pages 2): corpus/mixed.pdf" in stats.output
    # Tesseract installed: the next incremental run reads the pages that waited for it,
    # the indexed file's too (from the pages `indexed` cached, to save the time).
    monkeypatch.delenv(TESSERACT_ENV)
    limits = Limits(ocr=OcrOptions(cache_dir=str(indexed / "ocr-cache")))
    again = {Path(f.path).name: f for f in run([corpus], index_dir, limits=limits).files}
    assert again["mixed.pdf"].status == "indexed" and again["mixed.pdf"].ocr.pages == (2,)
    assert again["scanned.pdf"].status == "indexed" and again["scanned.pdf"].ocr.pages == (1, 2)


def test_ocr_off_lists_the_scanned_file_and_reads_nothing(scans: dict[str, Path], tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(scans["scanned"], corpus / "scanned.pdf")
    index_dir = tmp_path / "index"
    args = ["index", str(corpus), "--index-dir", str(index_dir), "--ocr", "off"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    [status] = saved_report(index_dir)["per_file"]
    assert status["status"] == "failed" and status["ocr"]["pages"] == []
    assert "--ocr auto" in status["error"]
    assert not (index_dir / "ocr-cache").exists()


def test_a_huge_page_is_rendered_within_the_pixel_bound(tmp_path: Path):
    writer = PdfWriter()
    writer.add_blank_page(14400, 14400)  # 200 inches square: 3.6 billion pixels at 300 dpi
    writer.write(tmp_path / "poster.pdf")
    document = pdfium.PdfDocument(tmp_path / "poster.pdf")
    try:
        image, scale = render(document[0])
    finally:
        document.close()
    assert image.width * image.height <= MAX_PIXELS * 1.01 and scale < 1


def test_every_page_of_a_long_scan_is_read(tmp_path: Path):
    """A many-page image-only file is read page by page to its end (here 400 pages of one
    small scan: the first read by Tesseract, the others from the cache), not cut short or
    taken for blank."""
    image = Image.new("L", (600, 150), 255)
    ImageDraw.Draw(image).text(
        (20, 50), "Remittances home", fill=0, font=ImageFont.load_default(size=40)
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pages = 400
    image.save(
        corpus / "long.pdf",
        "PDF",
        resolution=300.0,
        save_all=True,
        append_images=[image] * (pages - 1),
    )
    report = run([corpus], tmp_path / "index", workers=1)
    [status] = report.files
    assert status.status == "indexed", status.error
    assert status.ocr.pages == tuple(range(1, pages + 1))
    assert status.ocr.cache_hits == pages - 1 and not status.ocr.failed
    assert report.summary()["ocr"]["pages"] == pages

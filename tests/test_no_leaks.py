"""Unauthenticated responses name no absolute path of the server, no Tesseract version and
no text taken from the request's Host header."""

from __future__ import annotations

import json
import re
from pathlib import Path

from indexer.extraction import ocr
from indexer.models import FileStatus
from indexer.pipeline import RunReport, run
from search_app.web import create_app


def test_stats_name_files_below_their_corpus_root(tmp_path: Path) -> None:
    corpus = tmp_path / "shelf"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Remittances sent home by migrant workers.\n", "utf-8")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\nnot a pdf at all\n")
    (corpus / "blank.pdf").write_bytes(_blank_pdf())
    index_dir = tmp_path / "index"
    report = run([corpus], index_dir, workers=1)
    assert report.counts() == {"indexed": 1, "failed": 2}
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_UP": False})
    body = app.test_client().get("/api/stats").get_data(as_text=True)
    assert str(tmp_path) not in body
    assert "index_dir" not in body
    failures = json.loads(body)["last_run"]["failures"]
    assert {f["path"] for f in failures} == {"shelf/broken.pdf", "shelf/blank.pdf"}
    engine = ocr.engine_for(ocr.OcrOptions())
    if engine is not None:  # the version of the installed Tesseract is not served
        assert engine.version not in body
        assert json.loads(body)["ocr"]["engine"] == "tesseract"
    # report.json, beside the index and for its operator, keeps the full paths.
    saved = json.loads(next(index_dir.glob("generations/*/report.json")).read_text("utf-8"))
    assert saved["index_dir"] == str(index_dir)
    assert any(str(corpus) in f["path"] for f in saved["per_file"])


def test_error_text_that_names_the_file_names_it_by_its_id() -> None:
    error = "cannot read the file: [Errno 13] Permission denied: '/srv/data/shelf/a/b.pdf'"
    failed = FileStatus("/srv/data/shelf/a/b.pdf", "shelf/a/b.pdf", "failed", "unreadable", error)
    summary = RunReport(index_dir="/srv/index", files=[failed]).summary()
    assert summary["failures"] == [
        {
            "path": "shelf/a/b.pdf",
            "reason": "unreadable",
            "error": "cannot read the file: [Errno 13] Permission denied: 'shelf/a/b.pdf'",
        }
    ]
    assert "/srv" not in json.dumps(summary)


def test_api_docs_do_not_echo_the_host_header(tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(tmp_path / "none"),
            "WARM_UP": False,
            "PUBLIC_URL": "https://search.example.org/",
        }
    )
    page = app.test_client().get("/api-docs", headers={"Host": "evil.example"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "evil.example" not in text
    assert re.search(r"curl 'https://search\.example\.org/api/search\?", text)


def _blank_pdf() -> bytes:
    """A one-page PDF with nothing on its page."""
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()

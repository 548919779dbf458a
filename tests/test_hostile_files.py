"""Hostile and broken files: bombs, deep nesting, huge page counts, symlinks, the PDF zoo.

Each bad file must end with a status and a reason in the run report; none stops the batch and
none runs past the per-file limits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import SHARED_DATA, needs_shared
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
)

from indexer.extraction import Limits
from indexer.index import generations
from indexer.pipeline import discover, run

PDF_ZOO = SHARED_DATA / "pdfs"
GOOD_TEXT = "Migration and development\n\n" + "Remittances support families at home. " * 30
LIMIT_SECONDS = 2.0


# ---------------------------------------------------------------- PDFs made to hurt


def _font(writer: PdfWriter) -> IndirectObject:
    font = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}
    return writer._add_object(
        DictionaryObject({NameObject(k): NameObject(v) for k, v in font.items()})
    )


def _resources(**entries: object) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{k}"): v for k, v in entries.items()})


def _form(writer: PdfWriter, content: bytes, resources: DictionaryObject, compress: bool) -> object:
    """A form XObject drawing `content`."""
    form = DecodedStreamObject()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(NumberObject(n) for n in (0, 0, 612, 792))
    form[NameObject("/Resources")] = resources
    form.set_data(content)
    return writer._add_object(form.flate_encode() if compress else form)


def _page_drawing(path: Path, content: bytes, resources: DictionaryObject) -> Path:
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    page[NameObject("/Resources")] = resources
    writer.write(path)
    return path


def bomb_pdf(path: Path, size: int = 30_000_000) -> Path:
    """A 30 kB file whose page content inflates to `size` bytes: one enormous string."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 720 Td (" + b"a" * size + b") Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    page[NameObject("/Resources")] = _resources(Font=_resources(F1=_font(writer)))
    writer.write(path)
    return path


def repeated_form_pdf(path: Path, size: int = 1_000_000, repeats: int = 30) -> Path:
    """A page drawing one heavy form XObject many times.

    pypdf catches every Exception raised while it reads a form XObject, so a time limit that
    raises an ordinary exception there is swallowed and the page runs on.
    """
    writer = PdfWriter()
    fonts = _resources(Font=_resources(F1=_font(writer)))
    heavy = _form(writer, b"BT /F1 12 Tf 72 720 Td (" + b"a" * size + b") Tj ET", fonts, True)
    page = writer.add_blank_page(612, 792)
    stream = DecodedStreamObject()
    stream.set_data(b"/X Do\n" * repeats)
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/Resources")] = _resources(XObject=_resources(X=heavy))
    writer.write(path)
    return path


def nested_forms_pdf(path: Path, depth: int = 3000) -> Path:
    """Form XObjects nested `depth` deep, each drawing the next."""
    writer = PdfWriter()
    fonts = _resources(F1=_font(writer))
    inner = _form(writer, b"BT /F1 12 Tf 72 720 Td (bottom) Tj ET", _resources(Font=fonts), False)
    for _ in range(depth):
        resources = _resources(Font=fonts, XObject=_resources(X=inner))
        inner = _form(writer, b"BT /F1 12 Tf 72 700 Td (level) Tj ET /X Do", resources, False)
    page = writer.add_blank_page(612, 792)
    stream = DecodedStreamObject()
    stream.set_data(b"/X Do")
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/Resources")] = _resources(XObject=_resources(X=inner))
    writer.write(path)
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    writer.write(path)
    return path


def statuses(report) -> dict[str, tuple[str, str | None]]:
    return {Path(f.path).name: (f.status, f.reason or None) for f in report.files}


# ---------------------------------------------------------------- limits


def test_a_decompression_bomb_is_stopped_by_the_time_limit(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bomb_pdf(corpus / "bomb.pdf")
    report = run([corpus], tmp_path / "index", workers=1, limits=Limits(seconds=LIMIT_SECONDS))
    assert statuses(report) == {"bomb.pdf": ("failed", "timeout")}


def test_a_parser_that_swallows_exceptions_cannot_swallow_the_time_limit(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    repeated_form_pdf(corpus / "forms.pdf")
    started = time.monotonic()
    report = run([corpus], tmp_path / "index", workers=1, limits=Limits(seconds=LIMIT_SECONDS))
    assert statuses(report) == {"forms.pdf": ("failed", "timeout")}
    # Without the limit this file takes minutes; the bound is loose on purpose.
    assert time.monotonic() - started < 60


def test_deeply_nested_forms_end_with_a_status_in_worker_processes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    nested_forms_pdf(corpus / "nested.pdf")
    repeated_form_pdf(corpus / "forms.pdf")
    (corpus / "good.txt").write_text(GOOD_TEXT, "utf-8")
    # A longer limit: a worker's first file also pays for loading the language models.
    report = run([corpus], tmp_path / "index", workers=2, limits=Limits(seconds=10))
    found = statuses(report)
    assert found["good.txt"] == ("indexed", None)
    assert found["forms.pdf"] == ("failed", "timeout")
    assert found["nested.pdf"][0] in {"indexed", "failed"}
    assert all(f.error for f in report.files if f.status == "failed")


def test_the_page_limit_refuses_a_huge_document(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    many_pages_pdf(corpus / "huge.pdf", 1200)
    report = run([corpus], tmp_path / "index", workers=1, limits=Limits(max_pages=1000))
    assert statuses(report) == {"huge.pdf": ("failed", "too-many-pages")}


def test_the_size_limit_refuses_an_oversized_file_without_reading_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with open(corpus / "giant.pdf", "wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: costs no disk
    report = run([corpus], tmp_path / "index", workers=1)
    assert statuses(report) == {"giant.pdf": ("failed", "too-large")}


def test_text_files_with_binary_junk_do_not_stop_the_batch(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "nul.txt").write_bytes(b"Migration\x00report\x01\x02 " * 200 + os.urandom(2000))
    (corpus / "latin1.txt").write_bytes(
        ("Caf\xe9 migration r\xe9sum\xe9. " * 100).encode("latin-1")
    )
    (corpus / "page.html").write_bytes(b"<html><body><p>" + os.urandom(5000) + b"</p></body>")
    (corpus / "deep.md").write_text("#" * 7 + " x\n" + "> " * 5000 + "deep quote\n", "utf-8")
    (corpus / "good.txt").write_text(GOOD_TEXT, "utf-8")
    report = run([corpus], tmp_path / "index", workers=1)
    found = statuses(report)
    assert found["good.txt"] == ("indexed", None)
    assert len(found) == 5
    assert all(f.status in {"indexed", "failed"} for f in report.files)
    assert all(f.reason and f.error for f in report.files if f.status == "failed")


# ---------------------------------------------------------------- what the indexer reads


def test_symlinks_out_of_the_corpus_are_not_indexed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text("Secret passwords. " * 40, "utf-8")
    (outside / "folder" / "inner.txt").write_text("Inner secret. " * 40, "utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT, "utf-8")
    (corpus / "link.txt").symlink_to(outside / "secret.txt")
    (corpus / "abs.txt").symlink_to("/etc/hostname")
    (corpus / "folder").symlink_to(outside / "folder", target_is_directory=True)
    (corpus / "alias.txt").symlink_to(corpus / "good.txt")  # inside: fine
    os.mkfifo(corpus / "pipe.txt")  # would block a reader forever

    found = sorted(path.name for _, path in discover([corpus]))
    assert found == ["alias.txt", "good.txt"]


# ---------------------------------------------------------------- the PDF zoo


@needs_shared
@pytest.mark.reliability
@pytest.mark.timeout(1200)  # longer than the indexing subprocess's own 900 s
def test_every_pdf_of_the_zoo_gets_a_status_in_one_run(tmp_path: Path) -> None:
    # The indexer reports resolved paths; ../shared may be a symlink.
    pdfs = sorted(path.resolve() for path in PDF_ZOO.rglob("*.pdf"))
    assert len(pdfs) >= 190
    index_dir = tmp_path / "index"
    code = "import sys; from search_app.cli import main; sys.exit(main())"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", code, "index", str(PDF_ZOO), "--index-dir", str(index_dir)]
        + ["--workers", "2", "--timeout", "60"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    saved = json.loads(
        (generations.current_generation(index_dir) / generations.REPORT).read_text("utf-8")
    )
    per_file = {Path(f["path"]).resolve(): f for f in saved["per_file"]}
    assert set(pdfs) <= set(per_file)
    for path in pdfs:
        entry = per_file[path]
        assert entry["status"] in {"indexed", "failed"}, entry
        if entry["status"] == "failed":
            assert entry["reason"] and entry["error"], entry
    by_status = saved["by_status"]
    assert by_status.get("indexed", 0) > 100
    print(f"\n[reliability] PDF zoo: {len(pdfs)} PDFs in {seconds:.0f} s: {by_status}")

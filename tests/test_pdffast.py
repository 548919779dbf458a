"""The faster content-stream parser and text helpers give exactly what pypdf gives, and
when they may not (a changed pypdf), extraction falls back to plain pypdf with one warning."""

from __future__ import annotations

import logging
import shutil
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import pypdf.generic._utils
import pytest
from paths import REPO, needs_shared
from paths import SHARED_DATA as DATA
from pypdf import PdfReader
from pypdf._text_extraction import _text_extractor
from pypdf.generic import ContentStream, DictionaryObject
from pypdf.generic._font import Font

from indexer.extraction import extract, pypdf_fast
from indexer.extraction.pdf_layout import LineCollector
from indexer.extraction.pypdf_fast import canary
from indexer.extraction.pypdf_fast import parse as pdfparse
from indexer.extraction.pypdf_fast import patches as pdffast
from indexer.pipeline import run
from indexer.samplepdf import render

PYPDF_PARSE = ContentStream._parse_content_stream
# A spread of real files: UN reports (CID fonts, hex strings, tagged content) and the
# curated test PDFs (Type 1 fonts with escaped strings, inline images, forms, broken files).
SAMPLE = (
    sorted((DATA / "un-pdfs").glob("*.pdf"))[::60] + sorted((DATA / "pdfs").rglob("*.pdf"))[::12]
)


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if not isinstance(a, DictionaryObject) and getattr(a, "__dict__", {}) != getattr(
        b, "__dict__", {}
    ):
        return False
    return a == b


def pypdf_operations(data: bytes, encoding: Any = "bytes") -> list[Any] | str:
    """pypdf's own operations for a content stream, or its error."""
    content = ContentStream(None, None, encoding)
    try:
        PYPDF_PARSE(content, BytesIO(data))
    except Exception as error:  # noqa: BLE001 - the error is the expected result
        return type(error).__name__
    return content._operations


def fast_operations(data: bytes, encoding: Any = "bytes") -> list[Any] | str:
    """Ours, through the installed parser (falling back to pypdf where it must)."""
    content = ContentStream(None, None, encoding)
    try:
        with pdffast.fast_pypdf():
            content._parse_content_stream(BytesIO(data))
    except Exception as error:  # noqa: BLE001
        return type(error).__name__
    return content._operations


STREAMS = {
    "text": b"BT /F1 12 Tf 72 712 Td (Hello, world) Tj ET",
    "kerned": b"BT [(W)80(or)-20.5(ld)-250<0041 00 42>]TJ ET",
    "escapes": rb"BT (a \(b\) c \\ \101\1012 \n\
end) Tj (nested (parens) here) Tj ET",
    "hex odd and spaced": b"<48 65\n6C6C6> Tj <> Tj",
    "marked content": b"/Span <</MCID 3 /ActualText (x)>> BDC (y) Tj EMC",
    "names": b"/F#201 1 Tf /A;B 2 Tf /\xc3\xa9 3 Tf",
    "numbers": b"+1 -2 .5 -.5 5. 1-2 1,5 0.1.2 12345678901234567890123 Td",
    "null and booleans in arrays": b"[null true 1 /N] TJ true false null Tj",
    "nested arrays": b"[[1 2] (a)] TJ",
    "comment": b"(a) Tj % a comment (b) Tj\n(c) Tj",
    "comment in array": b"[(a) % note\n (b)] TJ",
    "reference": b"1 0 R Do",
    "inline image": b"q BI /W 1 /H 1 /BPC 8 /CS /G ID \x80 EI Q (after) Tj",
    "NUL and vertical tab": b"(a\x00b) Tj\x00(c) Tj [\x0b(d)] TJ",
    "unterminated string": b"(abc Tj",
    "unterminated array": b"[(a) (b) TJ",
    "array to the end": b"(x) Tj [(a) (b)",
    "array to the end after spaces": b"[1 2 \n",
    "stray bracket": b"] (a) Tj",
    "bad hex": b"<12G4> Tj",
    "long operator": b"1 " + b"x" * 130,
    "empty": b"",
}


@pytest.mark.parametrize("data", STREAMS.values(), ids=STREAMS.keys())
def test_streams_parse_as_pypdf_parses_them(data: bytes) -> None:
    expected = pypdf_operations(data)
    assert same(fast_operations(data), expected)


@pytest.mark.parametrize("encoding", [None, "utf-16-be", {65: "Z"}])
def test_strings_follow_the_forced_encoding(encoding: Any) -> None:
    data = STREAMS["kerned"] + b" " + STREAMS["text"]
    assert same(fast_operations(data, encoding), pypdf_operations(data, encoding))


def test_common_streams_do_not_fall_back() -> None:
    """The tokens of ordinary text are read by the fast parser itself."""
    for name in ("text", "kerned", "escapes", "hex odd and spaced", "marked content"):
        content = ContentStream(None, None, "bytes")
        assert same(pdfparse.parse(content, STREAMS[name]), pypdf_operations(STREAMS[name]))
    with pytest.raises(pdfparse.Fallback):
        pdfparse.parse(ContentStream(None, None, "bytes"), STREAMS["comment"])


def page_streams(reader: PdfReader) -> list[ContentStream]:
    """Every page's content stream, as text extraction builds them."""
    streams = []
    for page in reader.pages:
        try:
            streams.append(ContentStream(page["/Contents"], reader, "bytes"))
        except Exception:  # noqa: BLE001, S112 - pages without readable content
            continue
    return streams


@needs_shared
@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.name)
def test_real_content_streams_parse_the_same(path: Path) -> None:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")
        streams = page_streams(reader)
    except Exception:  # noqa: BLE001
        pytest.skip("pypdf cannot open it")
    for content in streams:
        data = content._data
        assert same(fast_operations(data), pypdf_operations(data))


def extraction(path: Path) -> list[Any]:
    """Each page's text and the lines our visitor rebuilt, or the error."""
    pages = []
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")
        for page in reader.pages:
            collector = LineCollector()
            text = page.extract_text(visitor_text=collector)
            pages.append((text, collector.finish()))
    except Exception as error:  # noqa: BLE001
        pages.append(type(error).__name__)
    return pages


@needs_shared
@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.name)
def test_text_and_line_geometry_are_unchanged(path: Path) -> None:
    expected = extraction(path)
    with pdffast.fast_pypdf():
        assert _text_extractor.crlf_space_check is pdffast.crlf_space_check
        assert extraction(path) == expected


def patched() -> tuple[Any, ...]:
    return (
        ContentStream._parse_content_stream,
        _text_extractor.crlf_space_check,
        _text_extractor.get_text_operands,
        _text_extractor.encoding_dict_from_named_encoding,
        Font.__dict__["from_font_resource"],
    )


def test_pypdf_is_restored_after_the_block() -> None:
    originals = patched()
    with pdffast.fast_pypdf(), pdffast.fast_pypdf():
        assert all(a is not b for a, b in zip(patched(), originals, strict=True))
    assert patched() == originals


@needs_shared
def test_fonts_are_built_once_per_document() -> None:
    path = sorted((DATA / "un-pdfs").glob("*.pdf"))[0]
    resources = PdfReader(path).pages[0]["/Resources"]["/Font"]
    name = next(iter(resources))
    with pdffast.fast_pypdf():
        font = Font.from_font_resource(resources[name])
        assert Font.from_font_resource(resources[name]) is font
    again = Font.from_font_resource(resources[name])
    assert again is not font and again == font


# --- Checked before use; every failure falls back to plain pypdf -------------------------

UNITAR_PDF = REPO / "corpus" / "unitar-migration-2009.pdf"
REMITTANCES = """Remittances and development

A. The cost of sending money home

Remittances sent home by migrant workers exceed official development assistance in many
countries of origin. They pay for school fees, health care and housing, and they hold up
when investment falls. Lowering the cost of remittances was a goal of the G20, and the
World Bank publishes the price of sending two hundred dollars along many corridors.
"""


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path as in a process that has not read a PDF yet."""
    monkeypatch.delenv(pypdf_fast.PLAIN_PDF, raising=False)
    monkeypatch.setattr(pypdf_fast, "_fast", None)


def texts(path: Path) -> list[str]:
    return [page.text for page in extract(path, path.name).pages]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The fast path's warnings."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == pypdf_fast.__name__ and record.levelno == logging.WARNING
    ]


def index_two_pdfs(tmp_path: Path) -> dict[str, str]:
    """Index a folder of two PDFs: each file's status (and failure reason)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(UNITAR_PDF, folder)
    (folder / "remittances.pdf").write_bytes(render(REMITTANCES))
    report = run([folder], tmp_path / "index", workers=1)
    return {Path(f.path).name: f"{f.status} {f.reason}".strip() for f in report.files}


BOTH_INDEXED = {"unitar-migration-2009.pdf": "indexed", "remittances.pdf": "indexed"}


def pypdf_changes_a_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate a pypdf release whose ContentStream parses its bytes given by keyword: the
    method the fast path replaces gets another signature, and pypdf's caller follows."""
    parse = ContentStream._parse_content_stream

    def parse_content_stream(self: ContentStream, *, data: bytes) -> None:
        parse(self, BytesIO(data))

    def operations(self: ContentStream) -> list[Any]:
        if not self._operations and self._data:
            self._parse_content_stream(data=self._data)
            self._data = b""
        return self._operations

    monkeypatch.setattr(ContentStream, "_parse_content_stream", parse_content_stream)
    setter = ContentStream.operations.fset
    monkeypatch.setattr(ContentStream, "operations", property(operations, setter))


def test_the_canary_passes_on_the_installed_pypdf(
    new_process: None, caplog: pytest.LogCaptureFixture
) -> None:
    pages = canary.extraction(canary.canary_pdf())
    text = "\n".join(page_text for page_text, _ in pages)
    for shown in (
        "Escaped: (parentheses), a backslash \\, octal ABC and a continued line.",
        "Kerned words, a dash – and € signs",
        "Āéabc xyz",  # the ToUnicode CMap
        "ABC abc",  # the CID font's hex strings
        "Rotated margin note",
        "Text inside a form",
        "No font set €",
        "E = mc 2 holds",
        "one two three",
    ):
        assert shown in text
    assert canary.problem() is None
    assert pypdf_fast.use_fast_path()
    assert not warnings(caplog)


def test_plain_pdf_setting_extracts_with_plain_pypdf(
    new_process: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    expected = texts(UNITAR_PDF)
    monkeypatch.setenv(pypdf_fast.PLAIN_PDF, "1")
    monkeypatch.setattr(pypdf_fast, "_fast", None)
    # With this the canary and the fast path would fail, and say so: they must not run.
    pypdf_changes_a_signature(monkeypatch)
    assert texts(UNITAR_PDF) == expected
    assert not warnings(caplog)


def test_a_changed_pypdf_costs_one_warning_and_no_file(
    new_process: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    expected = texts(UNITAR_PDF)
    monkeypatch.setattr(pypdf_fast, "_fast", None)  # a new process, with the new pypdf
    pypdf_changes_a_signature(monkeypatch)
    assert texts(UNITAR_PDF) == expected
    assert index_two_pdfs(tmp_path) == BOTH_INDEXED
    [warning] = warnings(caplog)
    assert "internals changed (TypeError: " in warning
    assert warning.endswith(", on the canary PDF): extracting with plain pypdf")


def test_a_file_failing_under_the_fast_path_is_read_with_plain_pypdf(
    new_process: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    expected = texts(UNITAR_PDF)  # the canary passed: the fast path is on
    pypdf_changes_a_signature(monkeypatch)  # a change the canary did not see
    assert texts(UNITAR_PDF) == expected
    assert index_two_pdfs(tmp_path) == BOTH_INDEXED
    [warning] = warnings(caplog)
    assert "(TypeError: " in warning and ", on unitar-migration-2009.pdf)" in warning


def test_stand_ins_that_cannot_be_imported_are_not_used(
    new_process: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    expected = texts(UNITAR_PDF)
    monkeypatch.setattr(pypdf_fast, "_fast", None)
    # A pypdf release that renamed an internal the fast parser imports (pypdf's own modules
    # imported it already, so plain pypdf still has it).
    monkeypatch.delattr(pypdf.generic._utils, "StreamParsingBudget")
    for name in ("canary", "patches", "parse"):
        monkeypatch.delitem(sys.modules, f"{pypdf_fast.__name__}.{name}")
        monkeypatch.delattr(pypdf_fast, name)
    assert texts(UNITAR_PDF) == expected
    [warning] = warnings(caplog)
    assert "internals changed (ImportError: " in warning

"""Document -> sections and passages. (Minimal first version: blank-line paragraphs.)"""

from __future__ import annotations

from indexer.models import Document, Passage, Section


def build_passages(document: Document) -> tuple[tuple[Section, ...], tuple[Passage, ...]]:
    """Recover headings and cut the text into passages, each with its section and pages."""
    passages: list[Passage] = []
    for page in document.pages:
        for para in page.text.split("\n\n"):
            text = " ".join(para.split())
            if text:
                passages.append(
                    Passage(
                        document_id=document.document_id,
                        ordinal=len(passages),
                        text=text,
                        sentences=(text,),
                        section=(),
                        page_start=page.number,
                        page_end=page.number,
                    )
                )
    return (), tuple(passages)

"""Document -> sections and passages: headings, paragraphs, sentences and pages.

Headings are recognised by their form (see `heading()`); each kind of heading gets its
level the first time it appears, one below the heading it appears under, the way
reStructuredText ranks its underline styles: a report that goes `A.` -> `b.` and one that
goes `I.` -> `A.` -> `1.` both nest correctly. Markdown/HTML `#` headings carry their level.

Passages follow paragraphs: short neighbours in a section are merged, long paragraphs are
split at sentence boundaries, so that passages hold roughly MIN_WORDS to MAX_WORDS words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from indexer.models import Document, Passage, Section
from indexer.sentences import split_sentences

MIN_WORDS = 40
MAX_WORDS = 250
MAX_HEADING_WORDS = 20  # an all-caps heading may run to two or three lines
# A paragraph the document numbers itself: "32. We ...", "(32) We ..." is a list item.
NUMBERED_PARAGRAPH = re.compile(r"(\d{1,4})\.\s+\S")
MIN_NUMBERED = 3  # numbered paragraphs, in order, for the numbers to be the document's own
MAX_MIXED_HEADING_WORDS = 16  # "b. Migration and the MDGs"; longer is a numbered paragraph
MAX_HEADING_LINES = 3
# A line this long was not wrapped at a fixed width: in such text each line is a paragraph.
LONG_LINE = 150

_MARKDOWN = re.compile(r"^(#{1,6})\s+(.*?)[\s#]*$")
_MARKER = re.compile(
    r"^(?P<marker>[IVXLCDM]+\.|[A-Z]\.|[a-z]\.|\d{1,2}(?:\.\d{1,2}){1,3}\.?|\d{1,2}\.)"
    r"\s+(?P<rest>\S.*)$"
)
_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ANNEX = re.compile(
    r"^(?:ANNEX|Annex|APPENDIX|Appendix|CHAPTER|Chapter|PART|Part)"
    r"(?:\s+(?:[IVXLC]+|\d{1,3}|[A-Z]|One|Two|Three|Four|Five|ONE|TWO|THREE|FOUR|FIVE))?$"
)
_CONNECTIVE = re.compile(r"\b(?:and|of|the|for|in|on|to|with|from|by|&)$|[-–—:]$", re.I)
_TERMINAL = re.compile(r"[.!?:;][\"”’')\]]*$|[\"”’]$")
_OPENS_PARAGRAPH = re.compile(r"^[\"“‘'(\[A-Z0-9•*\-–—]")
_LEADERS = re.compile(r"\.{4,}|…|(?:\. ){3,}")  # table-of-contents lines
# Headings name a subject; "26. This is why at COP 28, we launched ..." is a paragraph.
_CLAUSE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|shall|should|can|could|must|we|I)\b|!"
)
_SYMBOL_LIKE = re.compile(r"/[\w.]*\d")  # "S/RES/2768 (2025)" is a masthead, not a heading
_BULLET = re.compile(r"^(?:[-*•–]\s+|\(?[a-z0-9]{1,3}\)\s+)")


@dataclass(frozen=True)
class Heading:
    """A heading as found in the text: its words, its kind and (Markdown) explicit level."""

    text: str
    style: str  # "markdown", "roman", "upper", "lower", "num1", "num2", ..., "caps", "annex"
    level: int = 0  # explicit level for Markdown headings, 0 otherwise


@dataclass
class _Para:
    """A paragraph of body text and the page of each character range in it."""

    text: str
    page_breaks: list[tuple[int, int]]  # (offset where a page starts, page number)
    section: tuple[str, ...] = ()
    section_number: int = 0  # sections with the same headings are still different sections

    def page_at(self, offset: int) -> int:
        page = self.page_breaks[0][1]
        for start, number in self.page_breaks:
            if start <= offset:
                page = number
        return page


@dataclass
class _Piece:
    """Sentences destined for one passage, with the paragraph each came from and pages."""

    sentences: list[tuple[str, int, int, int]] = field(default_factory=list)  # text, para, pages
    # The sentences' words (str.split), counted as each is added: asked before every sentence
    # and merge, a count from scratch cost more than splitting the text into sentences.
    words: int = 0

    def extend(self, other: _Piece) -> None:
        self.sentences.extend(other.sentences)
        self.words += other.words


def build_passages(document: Document) -> tuple[tuple[Section, ...], tuple[Passage, ...]]:
    """Recover headings and cut the text into passages, each with its section and pages."""
    items = list(_items(document))
    title_index = _title_index(items, document.title)
    sections: list[Section] = []
    paragraphs: list[_Para] = []
    outline = _Outline()
    previous_page = None
    for index, (page, item) in enumerate(items):
        if index == title_index:
            continue
        if isinstance(item, Heading):
            sections.append(Section(path=outline.enter(item), page=page))
        elif (
            paragraphs
            and page != previous_page
            and isinstance(items[index - 1][1], str)
            and _continues(paragraphs[-1].text, item)
        ):
            _extend(paragraphs[-1], item, page)
        else:
            paragraphs.append(_Para(item, [(0, page)], outline.path, len(sections)))
        previous_page = page
    passages = _passages(document.document_id, paragraphs)
    if not document.has_pages:  # a text file's single "page 1" would be cited on every hit
        sections = [replace(s, page=0) for s in sections]
        passages = [replace(p, page_start=0, page_end=0) for p in passages]
    return tuple(sections), tuple(passages)


def document_title(document: Document) -> str:
    """The title block at the top of the document (see `_title_index`), or ""."""
    found = _items(document)
    first = next(found, None)
    if first is None:
        return ""
    # Only a `#` title needs the other headings (there must be no second one); for the
    # rest the first block decides, and the whole text need not be read again.
    whole = isinstance(first[1], Heading) and first[1].style == "markdown"
    items = [first, *found] if whole else [first]
    index = _title_index(items, document.title)
    if index is None:
        return ""
    item = items[index][1]
    return item.text if isinstance(item, Heading) else item


# --- blocks, headings and paragraphs -----------------------------------------------------


def _items(document: Document) -> Iterator[tuple[int, Heading | str]]:
    """(page number, Heading or paragraph text) in reading order."""
    for page in document.pages:
        for block in re.split(r"\n[ \t\f\v\r]*\n", page.text):
            lines = [line.strip() for line in block.splitlines() if line.strip()]
            for item in _block_items(lines):
                yield page.number, item


def _block_items(lines: list[str]) -> list[Heading | str]:
    """Split one block into its heading (if it opens with one) and paragraphs."""
    items: list[Heading | str] = []
    body: list[str] = []
    start = 0
    for i, line in enumerate(lines):
        match = _MARKDOWN.match(line)
        if match and match.group(2):
            items.extend(_paragraphs(body))
            items.append(Heading(match.group(2), "markdown", len(match.group(1))))
            body = []
            start = i + 1
        elif i == start and (found := heading(lines[i:])) is not None:
            found_heading, used = found
            items.append(found_heading)
            start = i + used
        elif i >= start:
            body.append(line)
    items.extend(_paragraphs(body))
    return items


def heading(lines: list[str]) -> tuple[Heading, int] | None:
    """The heading that opens these lines and how many lines it takes, or None.

    Accepted: `A. TITLE`, `b. Title`, `IV. Title`, `1. Title`, `1.2 Title`, unmarked
    all-caps lines and `Annex I`. Refused: anything ending like a sentence or clause
    (`.`, `,`, `;`), too long (numbered paragraphs of resolutions), starting in lower case
    after the marker (`1.5 million`), table-of-contents lines (dot leaders), and the first
    line of a wrapped paragraph: followed by a line in lower case (`A. Smith said that
    the\nproposal ...`) or by a line of about its own length (`4. In paragraph 5 of
    resolution 2731 (2024), the Council requested the South\nSudanese authorities ...`).
    """
    first = lines[0]
    if _LEADERS.search(first):
        return None
    if _ANNEX.match(first):
        found: tuple[str, str, int] | None = (first, "annex", 1)
    elif match := _MARKER.match(first):
        found = _marked_heading(lines, match)
    elif _caps_heading_line(first):
        used = _heading_span(lines, True)
        text = " ".join(lines[:used])
        found = (text, "caps", used) if len(text.split()) <= MAX_HEADING_WORDS else None
    else:
        found = None
    if found is None:
        return None
    text, style, used = found
    if re.search(r"[.,;]$", text) or (used < len(lines) and lines[used][0].islower()):
        return None
    if len(re.findall(r"(?<!\S)[-+]?\d[\d.,%]*(?!\S)", text)) >= 3:
        return None  # a table row: "94. Latvia 0.050 0.048 -4.0 ..."
    return Heading(" ".join(text.split()), style), used


def _caps_heading_line(line: str) -> bool:
    """An unmarked all-caps heading: not a masthead line ("ORIGINAL: ENGLISH", a symbol) or
    a lone short acronym from a table or a chart ("LPCIA", "UNESCO")."""
    words = line.split()
    return (
        _is_caps(line)
        and ":" not in line
        and re.match(r"[\"“'‘A-Z]", line) is not None
        and not re.search(r"\d$", line)  # "GRAND TOTAL 32": a table row
        and not _SYMBOL_LIKE.search(line)
        and (len(words) > 1 and re.search(r"[A-Z]{3}", line) is not None or len(line) >= 7)
    )


def _marked_heading(lines: list[str], match: re.Match[str]) -> tuple[str, str, int] | None:
    """(text, style, lines used) of a heading with a marker (`A.`, `iv.`, `1.2`), or None."""
    rest = match.group("rest")
    caps = _is_caps(rest)
    used = _heading_span(lines, caps)
    text = " ".join(lines[:used])
    limit = MAX_HEADING_WORDS if caps else MAX_MIXED_HEADING_WORDS
    if len(text.split()) > limit or not (rest[0].isupper() or rest[0] in "\"“'‘"):
        return None
    if not caps:
        if re.search(r"[a-z]{2}\.\s+[A-Z]", rest) or _CLAUSE.search(rest) or text.endswith(":"):
            return None  # two sentences, a verb, a lead-in: a numbered paragraph
        last, following = lines[used - 1], lines[used] if used < len(lines) else ""
        if following and len(last) > 40 and len(last) >= 0.75 * len(following):
            return None
    return text, _marker_style(match.group("marker")), used


def _heading_span(lines: list[str], caps: bool) -> int:
    """How many lines the heading opening `lines` takes (a heading may wrap)."""
    used = 1
    while used < min(len(lines), MAX_HEADING_LINES):
        following = lines[used]
        if caps and _is_caps(following) or not caps and _CONNECTIVE.search(lines[used - 1]):
            used += 1
        else:
            break
    return used


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return len(letters) >= 4 and upper >= 0.9 * len(letters)


def _marker_style(marker: str) -> str:
    """The kind of a heading's marker; a lone I, V, X is read as a roman numeral."""
    body = marker.rstrip(".")
    if body.isdigit():
        return "num1"
    if body[0].isdigit():
        return f"num{body.count('.') + 1}"
    if body.islower():
        return "lower"
    if len(body) > 1 or body in "IVX":
        return "roman" if _ROMAN.match(body) else "upper"
    return "upper"


def _paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs of a block: its lines joined, except where each line is a paragraph."""
    paragraphs: list[list[str]] = []
    for line in lines:
        starts_new = (
            not paragraphs
            or _BULLET.match(line)
            or (
                len(paragraphs[-1][-1]) > LONG_LINE
                and _TERMINAL.search(paragraphs[-1][-1])
                and _OPENS_PARAGRAPH.match(line)
            )
        )
        if starts_new:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return [_join_lines(p) for p in paragraphs]


def _join_lines(lines: list[str]) -> str:
    """Join wrapped lines; a hyphen at a line end is a compound hyphen and is kept."""
    text = ""
    for line in lines:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha():
            text += line
        else:
            text = f"{text} {line}" if text else line
    return " ".join(text.split())


def _continues(previous: str, following: str) -> bool:
    """Does the first paragraph of a page continue the last one of the page before?"""
    return not _TERMINAL.search(previous) or following[0].islower()


def _extend(para: _Para, text: str, page: int) -> None:
    joined = _join_lines([para.text, text])
    para.page_breaks.append((len(joined) - len(text), page))
    para.text = joined


def _title_index(items: list[tuple[int, Heading | str]], known_title: str = "") -> int | None:
    """Index of the document's title block: an all-caps or sole `#` heading opening it.

    The title names the whole document, so it becomes the document's title (metadata/titles.py)
    rather than the top of every section path or a passage of its own. A `#` heading that
    differs from a title the file declares (HTML `<title>`) stays a section.
    """
    if not items or not isinstance(items[0][1], Heading):
        return None
    first = items[0][1]
    if first.style == "caps":
        return 0
    if first.style == "markdown" and first.level == 1:
        if known_title and " ".join(known_title.split()) != first.text:
            return None
        others = [h for _, h in items[1:] if isinstance(h, Heading) and h.level == 1]
        return None if others else 0
    return None


class _Outline:
    """The stack of open headings; levels of unmarked kinds are fixed on first sight."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []
        self.levels: dict[str, int] = {}

    def enter(self, found: Heading) -> tuple[str, ...]:
        level = found.level or self.levels.get(found.style)
        if not level:
            level = self.stack[-1][0] + 1 if self.stack else 1
            self.levels[found.style] = level
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, found.text))
        return self.path

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.stack)


# --- passages ------------------------------------------------------------------------------


def _passages(document_id: str, paragraphs: list[_Para]) -> list[Passage]:
    passages: list[Passage] = []
    run: list[_Para] = []
    for para in [*paragraphs, None]:
        if para is None or (run and para.section_number != run[0].section_number):
            for piece in _merge(p for r in run for p in _pieces(r)):
                passages.append(_passage(document_id, len(passages), piece, run[0].section))
            run = []
        if para is not None:
            run.append(para)
    return _numbered(passages, [p.text for p in paragraphs])


def _numbered(passages: list[Passage], paragraphs: list[str]) -> list[Passage]:
    """Passages with the document's own paragraph numbers, where it numbers its paragraphs
    ("32. We ..."): a passage starting inside paragraph 32 is in paragraph 32."""
    numbers = [int(m[1]) for t in paragraphs if (m := NUMBERED_PARAGRAPH.match(t))]
    if len(numbers) < MIN_NUMBERED or numbers != sorted(numbers):
        return passages
    current = ""
    numbered = []
    for passage in passages:
        match = NUMBERED_PARAGRAPH.match(passage.text)
        current = match[1] if match else current
        numbered.append(replace(passage, paragraph=current))
    return numbered


def _pieces(para: _Para) -> list[_Piece]:
    """One paragraph as pieces of at most MAX_WORDS words, cut at sentence boundaries."""
    sentences: list[tuple[str, int, int, int]] = []
    offset = 0
    tag = id(para)  # distinguishes paragraphs when pieces are merged
    for sentence in split_sentences(para.text):
        start = para.text.find(sentence, offset)
        start = offset if start < 0 else start
        offset = start + len(sentence)
        pages = (para.page_at(start), para.page_at(max(start, offset - 1)))
        for part in _cut_words(sentence, MAX_WORDS):
            sentences.append((part, tag, *pages))
    counts = [len(s[0].split()) for s in sentences]
    total = sum(counts)
    target = total / max(1, math.ceil(total / MAX_WORDS))
    pieces = [_Piece()]
    for item, words in zip(sentences, counts, strict=True):
        current = pieces[-1]
        if current.sentences and (current.words >= target or current.words + words > MAX_WORDS):
            pieces.append(current := _Piece())
        current.sentences.append(item)
        current.words += words
    return [p for p in pieces if p.sentences]


def _cut_words(sentence: str, limit: int) -> list[str]:
    """A sentence longer than `limit` words (a run-on list, a table) cut into even parts."""
    words = sentence.split()
    if len(words) <= limit:
        return [sentence]
    parts = math.ceil(len(words) / limit)
    size = math.ceil(len(words) / parts)
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def _merge(pieces: Iterable[_Piece]) -> list[_Piece]:
    """Merge short pieces with their next neighbour; a short last one joins the one before."""
    merged: list[_Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last is not None and last.words < MIN_WORDS and last.words + piece.words <= MAX_WORDS:
            last.extend(piece)
        else:
            merged.append(piece)
    last_is_short = len(merged) > 1 and merged[-1].words < MIN_WORDS
    if last_is_short and merged[-2].words + merged[-1].words <= MAX_WORDS:
        merged[-2].extend(merged.pop())
    return merged


def _passage(document_id: str, ordinal: int, piece: _Piece, section: tuple[str, ...]) -> Passage:
    text = ""
    previous_tag = None
    for sentence, tag, _, _ in piece.sentences:
        separator = "" if not text else (" " if tag == previous_tag else "\n\n")
        text += separator + sentence
        previous_tag = tag
    return Passage(
        document_id=document_id,
        ordinal=ordinal,
        text=text,
        sentences=tuple(s[0] for s in piece.sentences),
        section=section,
        page_start=min(s[2] for s in piece.sentences),
        page_end=max(s[3] for s in piece.sentences),
    )

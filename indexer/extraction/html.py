"""HTML and Markdown -> blocks of text: main content only, headings as Markdown `#` lines.

Markdown is rendered to HTML with markdown-it-py first, so both formats share one walker.
Plain text files often carry Markdown's inline markup too (`**Mr President,**`, `---`
rules): `strip_markdown` removes it, so that it is never indexed, shown or quoted raw.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdown_it import MarkdownIt

# Never content: scripts and styles, site navigation, page chrome, forms.
DROPPED = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "svg",
    "iframe",
    "head",
)
HEADINGS = {f"h{level}": level for level in range(1, 7)}
BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "figure",
    "figcaption",
    "caption",
    "address",
    "hr",
    "body",
    "html",
}


def clean_inline(text: str) -> str:
    """Collapse whitespace inside each line; keep the line breaks of <br>."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class BlockWalker:
    """Walk an element tree and emit text blocks; inline elements join their parent's block."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._inline: list[str] = []

    def flush(self) -> None:
        text = clean_inline("".join(self._inline))
        if text:
            self.blocks.append(text)
        self._inline = []

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self._inline.append(str(child))
            elif isinstance(child, Tag):
                self.visit(child)

    def visit(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name in HEADINGS:
            self.flush()
            text = " ".join(tag.get_text(" ").split())
            if text:
                self.blocks.append("#" * HEADINGS[name] + " " + text)
        elif name == "pre":
            self.flush()
            text = tag.get_text().strip("\n")
            if text.strip():
                self.blocks.append(text)
        elif name == "br":
            self._inline.append("\n")
        elif name in ("td", "th"):  # a table row reads as one line
            self.walk(tag)
            self._inline.append(" ")
        elif name in BLOCKS:
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            self.walk(tag)


def main_element(soup: BeautifulSoup) -> Tag:
    """<main>, else the one <article>, else <body>: where the document's own text is."""
    main = soup.find("main")
    if isinstance(main, Tag):
        return main
    articles = soup.find_all("article")
    if len(articles) == 1 and isinstance(articles[0], Tag):
        return articles[0]
    return soup.body if isinstance(soup.body, Tag) else soup


def html_blocks(html: str) -> tuple[str, list[str]]:
    """(title, blocks) of an HTML page's main text."""
    soup = BeautifulSoup(html, "html.parser")
    title = ""
    if soup.title is not None:
        title = " ".join(soup.title.get_text(" ").split())
    for tag in soup.find_all(DROPPED):
        if tag.decomposed:
            continue  # inside a tag already dropped
        # An article's own <header> holds its title (<h1>) and byline: keep it.
        if tag.name in ("header", "footer") and tag.find_parent(("article", "main")):
            continue
        tag.decompose()
    walker = BlockWalker()
    walker.visit(main_element(soup))
    walker.flush()
    return title, walker.blocks


def markdown_blocks(markdown: str) -> list[str]:
    """Blocks of a Markdown text: link and emphasis syntax gone, code kept as text."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    return html_blocks(f"<body>{html}</body>")[1]


# Inline markup is parsed by markdown-it (raw HTML off: `<script>` in a text is text).
_INLINE = MarkdownIt("commonmark", {"html": False})
_MARKUP_CHARS = re.compile(r"[*_`\[\\]")
# A thematic break (`---`, `***`, `* * *`, `_____`): decoration, not text.
_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)
# Emphasis markers markdown-it leaves unpaired ("**Mr President,\nExcellencies,**" split
# over blocks): a run of two or more at a word's edge.
_LEFTOVER = re.compile(r"(?<![^\s(\"“])[*_]{2,}|[*_]{2,}(?![^\s.,;:!?)\"”])")


def strip_markdown(text: str) -> str:
    """A plain text block without Markdown's inline markup and rules: `**bold**` -> `bold`,
    `[words](url)` -> `words`, `---` lines dropped; line breaks and other text kept."""
    text = _RULE.sub("", text)
    if not _MARKUP_CHARS.search(text):
        return text.strip("\n")
    tokens = _INLINE.parseInline(text)
    parts: list[str] = []
    for token in tokens[0].children or () if tokens else ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    plain = _LEFTOVER.sub("", "".join(parts))
    return "\n".join(line.strip() for line in plain.split("\n") if line.strip())

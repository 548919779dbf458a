"""Headings, sections, passages, pages and sentences (indexer/structure.py, sentences.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import SEED

from indexer.extraction import extract
from indexer.models import Document, Page
from indexer.sentences import split_sentences
from indexer.structure import MAX_WORDS, MIN_WORDS, build_passages, document_title, heading

A_HEADING = "A. UNITAR CHAIRMANSHIP OF THE GLOBAL MIGRATION GROUP"
B_HEADING = (
    'B. UNITAR "MIGRATION AND DEVELOPMENT" SEMINAR SERIES '
    "ORGANIZED IN COLLABORATION WITH IOM, UNFPA AND THE MACARTHUR FOUNDATION"
)
C_HEADING = (
    "C. UNITAR’S MIGRATION PROGRAMME IN COLLABORATION WITH THE GOVERNMENT OF SPAIN AND THE IOM"
)


@pytest.fixture(scope="module")
def seed() -> Document:
    return extract(SEED, "corpus/unitar-migration-2009.txt")


@pytest.fixture(scope="module")
def seed_structure(seed):
    return build_passages(seed)


def make_document(
    pages: list[str], fmt: str = "text", name: str = "doc.txt", title: str = ""
) -> Document:
    return Document(
        document_id=f"test/{name}",
        path=f"/nowhere/{name}",
        format=fmt,
        content_hash="0" * 64,
        pages=tuple(Page(number=i + 1, text=text) for i, text in enumerate(pages)),
        title=title,
    )


def words(n: int, start: int = 0) -> str:
    """n words of filler text cut into sentences of ten words."""
    tokens = [f"word{i}" for i in range(start, start + n)]
    sentences = [" ".join(tokens[i : i + 10]) for i in range(0, n, 10)]
    return " ".join(s[0].upper() + s[1:] + "." for s in sentences)


# --- the seed report -----------------------------------------------------------------------


def test_seed_sections_are_recovered_with_their_nesting(seed_structure):
    sections, _ = seed_structure
    assert [s.path for s in sections] == [
        (A_HEADING,),
        (B_HEADING,),
        (B_HEADING, "b. Migration and the MDGs"),
        (C_HEADING,),
    ]


def test_seed_title_block_is_the_title_not_a_passage_or_section(seed, seed_structure):
    sections, passages = seed_structure
    title = "FOSTERING KNOWLEDGE, DIALOGUE AND COORDINATION ON INTERNATIONAL MIGRATION"
    assert document_title(seed) == title
    assert all(title not in p.text for p in passages)
    assert all(title not in s.path for s in sections)
    # The subtitle under it is a short paragraph: merged into the opening passage.
    assert passages[0].section == ()
    assert passages[0].text.startswith("United Nations Institute for Training and Research")


def test_passage_on_gmg_chair_sits_under_section_a(seed_structure):
    _, passages = seed_structure
    [passage] = [
        p for p in passages if "assumed the chairmanship of the GMG on 1 June 2009" in p.text
    ]
    assert passage.section[0] == A_HEADING
    assert passage.section == (A_HEADING,)


def test_seed_passages_are_within_size_bounds(seed_structure):
    _, passages = seed_structure
    for passage in passages:
        count = len(passage.text.split())
        section_total = sum(len(p.text.split()) for p in passages if p.section == passage.section)
        assert count <= MAX_WORDS
        assert count >= MIN_WORDS or section_total < MIN_WORDS, passage.text


def test_no_passage_spans_two_sections(seed_structure):
    text = " ".join(SEED.read_text("utf-8").split())
    bounds = [text.index(h.split(" ORGANIZED")[0]) for h in (A_HEADING, B_HEADING, C_HEADING)]
    spans = {(): (0, bounds[0])}
    spans[(A_HEADING,)] = (bounds[0], bounds[1])
    spans[(B_HEADING,)] = (bounds[1], text.index("b. Migration and the MDGs"))
    spans[(B_HEADING, "b. Migration and the MDGs")] = (spans[(B_HEADING,)][1], bounds[2])
    spans[(C_HEADING,)] = (bounds[2], len(text))
    _, passages = seed_structure
    for passage in passages:
        start, end = spans[passage.section]
        for sentence in passage.sentences:
            position = text.index(sentence)
            assert start <= position < end, (passage.section, sentence)


def test_ordinals_pages_and_sentences(seed_structure):
    _, passages = seed_structure
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    for passage in passages:
        assert (passage.page_start, passage.page_end) == (0, 0)  # a text file has no pages
        assert " ".join(passage.sentences).split() == passage.text.split()
        assert passage.document_id == "corpus/unitar-migration-2009.txt"


# --- heading rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "style", "text"),
    [
        ([A_HEADING, "UNITAR assumed the chairmanship."], "upper", A_HEADING),
        (["b. Migration and the MDGs"], "lower", "b. Migration and the MDGs"),
        (["IV. Conclusions and recommendations"], "roman", "IV. Conclusions and recommendations"),
        (["I. Introduction"], "roman", "I. Introduction"),
        (["1. Introduction"], "num1", "1. Introduction"),
        (["1.2 Scope of the report"], "num2", "1.2 Scope of the report"),
        (["EXECUTIVE SUMMARY"], "caps", "EXECUTIVE SUMMARY"),
        (
            ["B. Review of the implementation of the Programme of Action for 2030"],
            "upper",
            "B. Review of the implementation of the Programme of Action for 2030",
        ),
        (["Annex II"], "annex", "Annex II"),
        (["A. Review of the implementation of the", "Programme of Action"], "upper", None),
    ],
)
def test_headings_recognised(lines, style, text):
    found = heading(lines)
    assert found is not None
    assert found[0].style == style
    if text is not None:
        assert found[0].text == text
    else:
        assert found[1] == 2  # a heading ending in "the" wraps onto the next line


@pytest.mark.parametrize(
    "lines",
    [
        ["A. Smith said the proposal was acceptable to his delegation."],
        ["A. Smith said that the", "proposal was acceptable to his delegation."],
        ["1. The General Assembly, recalling its resolution 64/1,"],
        ["1. Decides to remain seized of the matter."],
        ["(a) development gains of migration were recognized and leveraged;"],
        ["1.5 million people were displaced in the region"],
        ["2. " + " ".join(["Requests the Secretary-General to report"] * 5)],
        [
            "4. In paragraph 5 of resolution 2731 (2024), the Council requested the South",
            "Sudanese authorities to report, no later than 15 April 2025, to the Committee on",
        ],
        ["I. Introduction ........................................ 3"],
        [
            "26. This is why at COP 28, we launched the Africa Green",
            "Industrialisation Initiative, aimed at unlocking investments for the continent's "
            "immense opportunities. This pan-African initiative promotes green industry.",
        ],
        ["53. With Bolívar we say: “God grants victory to constancy”!"],
        ["S/RES/2768 (2025)"],
        ["ORIGINAL: ENGLISH"],
        ["UNESCO"],
        ["GRAND TOTAL 32"],
        ["©2024_UNCTAD"],
        ["A/AC.109/L.1880.5"],
        ["94. Latvia 0.050 0.048 -4.0 0.040 0.038 -3.8 19 701"],
        ["19. On the basis of its review, the Committee:"],
    ],
)
def test_false_headings_refused(lines):
    assert heading(lines) is None


def test_numbered_resolution_paragraphs_are_passages_not_sections():
    paragraphs = [
        "The General Assembly,",
        "1. Decides to convene a high-level dialogue on international migration and "
        "development, " + words(30) + ";",
        "2. Requests the Secretary-General to submit a report on the implementation of the "
        "present resolution, " + words(40, 100),
    ]
    sections, passages = build_passages(make_document(["\n\n".join(paragraphs)]))
    assert sections == ()
    assert {p.section for p in passages} == {()}
    assert "1. Decides to convene" in passages[0].text


# --- Markdown and HTML ---------------------------------------------------------------------


def test_markdown_headings_give_section_paths():
    text = (
        "# Annual report 2024\n\nIntroduction. " + words(50) + "\n\n"
        "## Background\n\n" + words(60) + "\n\n"
        "### Earlier work\n\n" + words(60, 100) + "\n\n"
        "## Findings\n\n" + words(60, 200)
    )
    document = make_document([text], fmt="markdown", name="report.md")
    sections, passages = build_passages(document)
    assert document_title(document) == "Annual report 2024"
    assert [s.path for s in sections] == [
        ("Background",),
        ("Background", "Earlier work"),
        ("Findings",),
    ]
    assert [p.section for p in passages] == [
        (),
        ("Background",),
        ("Background", "Earlier work"),
        ("Findings",),
    ]


def test_html_headings_with_several_top_levels_stay_in_paths():
    text = (
        "# Part one\n\n## Migration\n\n" + words(60) + "\n\n"
        "# Part two\n## Health\n" + words(60, 100)
    )
    document = make_document([text], fmt="html", name="page.html")
    _, passages = build_passages(document)
    assert document_title(document) == ""
    assert [p.section for p in passages] == [("Part one", "Migration"), ("Part two", "Health")]


def test_html_h1_differing_from_the_declared_title_stays_a_section():
    text = "# Main heading\n\n" + words(60) + "\n\n## Second level\n\n" + words(60, 100)
    document = make_document([text], fmt="html", name="page.html", title="Page title here")
    _, passages = build_passages(document)
    assert [p.section for p in passages] == [("Main heading",), ("Main heading", "Second level")]
    same = make_document([text], fmt="html", name="page.html", title="Main heading")
    assert [p.section for p in build_passages(same)[1]] == [(), ("Second level",)]


def test_roman_letter_number_nesting():
    text = "\n\n".join(
        [
            "I. INTRODUCTION",
            words(50),
            "A. Background",
            words(50, 100),
            "1. Scope",
            words(50, 200),
            "B. Mandate",
            words(50, 300),
            "II. FINDINGS",
            words(50, 400),
        ]
    )
    _, passages = build_passages(make_document([text]))
    assert [p.section for p in passages] == [
        ("I. INTRODUCTION",),
        ("I. INTRODUCTION", "A. Background"),
        ("I. INTRODUCTION", "A. Background", "1. Scope"),
        ("I. INTRODUCTION", "B. Mandate"),
        ("II. FINDINGS",),
    ]


# --- paragraphs, sizes, pages --------------------------------------------------------------


def test_long_paragraph_split_at_sentence_boundaries():
    _, passages = build_passages(make_document([words(600)]))
    assert len(passages) == 3
    for passage in passages:
        assert MIN_WORDS <= len(passage.text.split()) <= MAX_WORDS
        assert passage.text.endswith(".")
    assert " ".join(p.text for p in passages) == words(600)


def test_short_paragraphs_merge_within_a_section_only():
    text = "\n\n".join(
        ["A. FIRST PART", words(15), words(15, 100), "B. SECOND PART", words(15, 200)]
    )
    _, passages = build_passages(make_document([text]))
    assert len(passages) == 2
    assert passages[0].text == words(15) + "\n\n" + words(15, 100)
    assert passages[1].section == ("B. SECOND PART",)


def test_sections_with_the_same_heading_are_not_merged():
    text = "\n\n".join(["Annex", words(15), "Annex", words(15, 100)])
    _, passages = build_passages(make_document([text]))
    assert [(p.section, p.text) for p in passages] == [
        (("Annex",), words(15)),
        (("Annex",), words(15, 100)),
    ]


def test_one_paragraph_per_line_text_is_split_into_paragraphs():
    lines = [words(120, i * 1000) for i in range(4)]
    _, passages = build_passages(make_document(["\n".join(lines)]))
    assert [p.text for p in passages] == lines


def test_wrapped_lines_are_joined_keeping_compound_hyphens():
    text = "The climate-\nresilient plan was\nadopted by the Council. " + words(40)
    _, [passage] = build_passages(make_document([text]))
    assert passage.text.startswith("The climate-resilient plan was adopted by the Council.")


def test_paragraph_continued_across_a_page_break_spans_both_pages():
    first = "A. FIRST SECTION\n\n" + words(60) + " The chair of the group was handed over in"
    second = (
        "the middle of the year to the next agency. " + words(30, 500) + "\n\n"
        "B. SECOND SECTION\n\n" + words(60, 900)
    )
    third = words(300, 2000)  # a long paragraph on page 3 continues onto page 4
    fourth = "and ends here. " + words(100, 3000)
    sections, passages = build_passages(make_document([first, second, third, fourth]))
    assert [(s.path[-1], s.page) for s in sections] == [
        ("A. FIRST SECTION", 1),
        ("B. SECOND SECTION", 2),
    ]
    spanning = [p for p in passages if "handed over in the middle of the year" in p.text]
    assert len(spanning) == 1
    assert (spanning[0].page_start, spanning[0].page_end) == (1, 2)
    assert spanning[0].section == ("A. FIRST SECTION",)
    second_section = [p for p in passages if p.section == ("B. SECOND SECTION",)]
    assert second_section[0].page_start == 2
    # 300 + 103 words continued in lower case: one paragraph, cut in two passages.
    assert [(p.page_start, p.page_end) for p in second_section[1:]] == [(3, 3), (3, 4)]
    assert "word2299. and ends here." in second_section[2].text


def test_new_paragraph_on_next_page_is_not_merged():
    first = words(60) + " This paragraph ends the page."
    second = "A new paragraph starts the next page. " + words(60, 500)
    _, passages = build_passages(make_document([first, second]))
    assert [(p.page_start, p.page_end) for p in passages] == [(1, 1), (2, 2)]


# --- sentences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A joint statement was delivered by Mr. Carlos Lopes, the Executive Director. "
            "It reaffirmed the commitment of members.",
            [
                "A joint statement was delivered by Mr. Carlos Lopes, the Executive Director.",
                "It reaffirmed the commitment of members.",
            ],
        ),
        (
            "See para. 12 and art. 5 of vol. 2 of the report. The U.S. delegation agreed, "
            "e.g. on trade, i.e. on tariffs. No. 5 was adopted.",
            [
                "See para. 12 and art. 5 of vol. 2 of the report.",
                "The U.S. delegation agreed, e.g. on trade, i.e. on tariffs.",
                "No. 5 was adopted.",
            ],
        ),
        (
            "Dr. Smith met the team at 10 a.m. in New York. Then they left.",
            ["Dr. Smith met the team at 10 a.m. in New York.", "Then they left."],
        ),
        (
            "It was adopted by resolution 64/1 (see A/77/PV.10). We thank Türkiye. We agree.",
            [
                "It was adopted by resolution 64/1 (see A/77/PV.10).",
                "We thank Türkiye.",
                "We agree.",
            ],
        ),
        ("", []),
    ],
)
def test_split_sentences_around_abbreviations(text, expected):
    assert split_sentences(text) == expected


def test_seed_sentences_around_mr_and_footnotes(seed_structure):
    _, passages = seed_structure
    sentences = [s for p in passages for s in p.sentences]
    [lopes] = [s for s in sentences if "Carlos Lopes" in s]
    assert lopes.startswith("A joint GMG statement delivered by the Executive Director of UNITAR")
    assert lopes.endswith(
        "(c) more robust data were collected to provide a solid evidence base for policy-making."
    )


# --- any input -----------------------------------------------------------------------------

PIECES = [
    "word",
    "Word",
    "UNITAR",
    "Mr.",
    "e.g.",
    "1.",
    "A.",
    "iv.",
    "(a)",
    "#",
    "##",
    "-",
    "climate-",
    ".",
    ",",
    ";",
    "?",
    "“",
    "\n",
    "\n\n",
    "\n \n",
    "\f",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=400), min_size=1, max_size=4))
def test_any_text_gives_well_formed_passages(pages):
    document = make_document([" ".join(tokens) for tokens in pages])
    sections, passages = build_passages(document)
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    for passage in passages:
        assert passage.text.strip()
        assert len(passage.text.split()) <= MAX_WORDS
        if document.has_pages:
            assert 1 <= passage.page_start <= passage.page_end <= len(pages)
        else:  # one page of text: no page to cite
            assert passage.page_start == passage.page_end == 0
        assert " ".join(passage.sentences).split() == passage.text.split()
        assert passage.section in {s.path for s in sections} | {()}

"""Answers people can trust, over the bundled corpus: short answers of the asked type,
confidence, refusals of general-knowledge questions, asking within filters, the ask page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from browsing import chromium, serving
from click.testing import CliRunner

from indexer.metadata.gazetteer import TOKEN, country_names, places
from indexer.pipeline import run
from search_app import qa
from search_app.cli import main
from search_app.engine.index_handle import IndexHandle
from search_app.qa import confidence
from search_app.qa.answer_types import (
    DATE,
    NUMBER,
    PERSON,
    Span,
    asks_for_a_measure,
    asks_for_a_person,
    could_be_a_person,
    expected_type,
    find_spans,
    time_phrases,
    when_opens_a_condition,
    without_address,
)
from search_app.qa.answering import normalized
from search_app.qa.question import analyze_question
from search_app.qa.short_answer import _consensus, best_span, candidates
from search_app.web import create_app

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
BENIN = "What was Benin's growth rate in 2016?"
GEORGIA = "What was Georgia's GDP growth rate in 2021 and 2022?"
LEBANON = "How many refugees does Lebanon host?"
CHAD = "How many refugees does Chad host?"
# General knowledge the bundled reports do not hold.
OUT_OF_SHELF = (
    "Who painted the Mona Lisa?",
    "How many moons does Jupiter have?",
    "What is the chemical symbol for gold?",
    "When did the Titanic sink?",
    # A body for "who is the president of", a figure for "who", "Roman" for "Rome", a
    # sentence that says nothing of when, a share for a length.
    "Who is the president of the Federal Reserve?",
    "Who won the 2018 FIFA World Cup?",
    "Who was the first emperor of Rome?",
    "When did the Berlin Wall fall?",
    "When was the printing press invented?",
    # A figure is asked for by "the population of" ("recent speech" was shown).
    "What is the population of Tokyo?",
)
# The issue's examples: "Abraham Lincoln" (33%) and "Solitude" were shown.
ISSUE_EXAMPLES = (
    "Who wrote War and Peace?",
    "Who won the Nobel Prize in Literature in 2016?",
)


@pytest.fixture(scope="module")
def bundled_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of the bundled corpus (corpus/), built once for this module."""
    index_dir = tmp_path_factory.mktemp("bundled") / "index"
    report = run([CORPUS], index_dir, workers=2)
    assert not report.summary()["failures"]
    return index_dir


@pytest.fixture(scope="module")
def handle(bundled_index: Path) -> IndexHandle:
    return IndexHandle(bundled_index)


@pytest.fixture(scope="module")
def client(bundled_index: Path):
    app = create_app({"TESTING": True, "INDEX_DIR": str(bundled_index), "CORPUS_DIRS": []})
    return app.test_client()


def test_a_rate_is_answered_with_a_percentage(handle):
    assert qa.ask(handle, BENIN)["answers"][0]["answer"] == "4 per cent"
    assert qa.ask(handle, GEORGIA)["answers"][0]["answer"] == "10 per cent"


def test_how_many_never_gets_a_year_or_a_paragraph_number(handle):
    for question in (LEBANON, CHAD):
        for answer in qa.ask(handle, question, limit=10)["answers"]:
            short = answer["answer"]
            assert short is None or not re.fullmatch(r"1[0-9]{3}|20[0-9]{2}|\d{1,3}", short)
            assert short != answer["sentence"]
    assert qa.ask(handle, CHAD)["answers"][0]["answer"] == "two million"
    assert qa.ask(handle, LEBANON)["answers"][0]["answer"] == "hundreds of thousands"


def test_spans_of_each_kind_from_a_sentence():
    sentence = "Mr. Carlos Lopes spoke in Athens on 4 November 2009 about 14 fact-sheets."
    cases = {
        "Who spoke in Athens?": "Carlos Lopes",
        "Where did Mr. Carlos Lopes speak?": "Athens",
        "When did Mr. Carlos Lopes speak in Athens?": "4 November 2009",
        "How many fact-sheets did Mr. Carlos Lopes speak about?": "14",
    }
    for question, expected in cases.items():
        span, probability = best_span(sentence, analyze_question(question))
        assert span is not None and expected in span.text, question
        assert 0 < probability <= 1


def test_where_the_model_hesitates_the_shared_words_win():
    # "the Eiffel Tower" is likeliest, but "Eiffel Tower in Paris" overlaps more of what the
    # model believes: 0.4 on it, 0.35 on the longer phrase and 0.25 on "Paris".
    sentence = "the Eiffel Tower in Paris"
    spans = [Span(0, 16, sentence[0:16]), Span(4, 25, sentence[4:25]), Span(20, 25, "Paris")]
    assert _consensus(spans, np.array([0.4, 0.35, 0.25])) == 1
    assert _consensus(spans, np.array([0.8, 0.15, 0.05])) == 0  # no doubt: the likeliest


def test_no_short_answer_of_the_asked_kind_gives_null_not_the_sentence():
    sentence = "Refugees are hosted by many countries across the region."
    span, _ = best_span(sentence, analyze_question("How many refugees are hosted?"))
    assert span is None


def test_answers_carry_a_confidence_beside_the_score(client):
    body = client.get("/api/ask", query_string={"q": BENIN}).get_json()
    first, *others = body["answers"]
    assert first["answer"] == "4 per cent"
    assert 0.5 <= first["sentence_confidence"] <= 1 and isinstance(first["score"], float)
    assert all(0 <= a["confidence"] <= 1 for a in body["answers"])
    assert all(a["confidence"] < first["confidence"] for a in others)


def test_a_phrase_cut_from_a_sentence_that_answers_is_weighed_apart(client):
    """Sentences naming the Secretary-General answer; "Distinguished delegates" cut from
    one of them is no person: its sentence is listed to read, without it."""
    question = "Who is the Secretary-General of the United Nations?"
    answers = client.get("/api/ask", query_string={"q": question}).get_json()["answers"]
    assert "Guterres" in answers[0]["answer"]
    assert not answers[0]["answer"].startswith(("Your", "His", "Excellency", "Mr"))
    assert all(a["sentence_confidence"] > 0.9 for a in answers if a["answer"])
    assert all(a["confidence"] < answers[0]["confidence"] for a in answers[1:])
    shown = [a["answer"] for a in answers]
    assert not {"Distinguished delegates", "Mr President", "Deputy Secretary-General"} & set(shown)


@pytest.mark.parametrize("question", OUT_OF_SHELF)
def test_general_knowledge_is_refused_with_related_reading(handle, question):
    body = qa.ask(handle, question)
    assert body["no_answer"] is True
    assert body["answers"] == [] and body["passages"]


@pytest.mark.parametrize("question", ISSUE_EXAMPLES)
def test_the_issues_general_knowledge_examples_are_refused(handle, question):
    assert qa.ask(handle, question)["no_answer"] is True


def test_the_asking_word_sets_the_type_not_a_later_when_or_who():
    assert expected_type("How old was Tesla when he became a US citizen?") == NUMBER
    assert expected_type("What did the Church do when Luther refused to retract?") is None
    assert expected_type("How often does Doctor Who travel by himself?") is None
    assert expected_type("Who won the Nobel Prize in Literature in 2016?") == PERSON
    assert expected_type("In what month is the scavenger hunt?") == DATE
    assert expected_type("Since when has Chad hosted refugees?") == DATE


@pytest.mark.parametrize(
    "question, sentence, phrase",
    [
        # A quantity with what it counts, a range of figures, a range of years.
        ("By how much did Gray win?", "Gray retained East Lothian by 151 votes.", "151 votes"),
        (
            "How many chloroplasts are in guard cells?",
            "Guard cells hold around 8–15 per cell.",
            "8–15",
        ),
        (
            "When was the collection acquired?",
            "The collection was acquired between 1859 and 1865.",
            "1859 and 1865",
        ),
        ("When did Tesla meet Viereck?", "Tesla met Viereck in the late 1920s.", "late 1920s"),
        ("In what month is the hunt?", "The hunt is held in May each year.", "May"),
        # A name with an initial is one phrase.
        (
            "Who designed the golf course?",
            "The course was designed by William P. Bell in 1930.",
            "William P. Bell",
        ),
    ],
)
def test_short_answer_candidates_keep_units_ranges_and_initials(question, sentence, phrase):
    found = [span.text for span, _ in candidates(sentence, analyze_question(question))]
    assert phrase in found


def test_ask_within_a_country_and_years(handle, client):
    within = qa.ask(handle, BENIN, filters={"country": ["Benin"]}, year_from=2023, year_to=2023)
    assert within["answers"][0]["answer"] == "4 per cent"
    assert all(a["title"].startswith("Benin") and "(2023)" in a["title"] for a in within["answers"])
    later = qa.ask(handle, BENIN, year_from=2024)
    cited = later["answers"] or later["passages"]
    assert cited and all("(2024)" in item["title"] for item in cited)
    query = {"q": BENIN, "country": "Benin", "year_from": "2023", "year_to": "2023"}
    api = client.get("/api/ask", query_string=query).get_json()
    assert [a["passage_id"] for a in api["answers"]] == [a["passage_id"] for a in within["answers"]]
    none = client.get("/api/ask", query_string={"q": BENIN, "year_to": "2000"}).get_json()
    assert none["no_answer"] is True and none["passages"] == []


def test_cli_ask_within_years_is_the_api_body(client, bundled_index):
    args = ["ask", "--index-dir", str(bundled_index), "--json", "--year-from", "2023"]
    result = CliRunner().invoke(main, [*args, "--year-to", "2023", BENIN])
    assert result.exit_code == 0, result.output
    cli_body = json.loads(result.output)
    query = {"q": BENIN, "year_from": "2023", "year_to": "2023"}
    api_body = client.get("/api/ask", query_string=query).get_json()
    cli_body.pop("took_ms"), api_body.pop("took_ms")
    assert cli_body == api_body
    assert all("(2023)" in a["title"] for a in cli_body["answers"])


def test_ask_page_sets_the_best_answer_apart_with_confidence_in_words(client):
    page = client.get("/ask", query_string={"q": BENIN}).get_data(as_text=True)
    start = page.index('class="best-answer"')
    best = page[start : page.index("</article>", start)]
    assert "<strong>4 per cent</strong>" in best
    # "Possible" (39%) until the answer model learnt from passages on the question's topic
    # that do not state its fact; "Unlikely" (28%) since: a band word either way.
    assert re.search(r"Very likely|Likely|Possible|Unlikely", best) and "<meter" in best
    assert re.search(r"(Very likely|Likely|Possible|Unlikely) \(\d+%\)", best)
    assert re.search(r"its sentence answers the question:\s+(very likely|likely) \(\d+%\)", best)
    assert "12.5" not in best and "score" not in best.lower()


def test_ask_page_keeps_the_filters(client):
    response = client.get("/search", query_string={"q": BENIN, "mode": "ask", "country": "Benin"})
    assert response.status_code == 302 and "country=Benin" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Asked within" in page and "Country: Benin" in page
    assert 'name="country" value="Benin"' in page  # a new question keeps the filter


@pytest.fixture(scope="module")
def served(bundled_index: Path) -> Iterator[str]:
    with serving(create_app({"INDEX_DIR": str(bundled_index), "CORPUS_DIRS": []})) as url:
        yield url


@pytest.mark.browser
def test_ask_page_in_a_browser(served):
    with chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{served}/ask")
        page.fill("#q", BENIN)
        page.press("#q", "Enter")
        best = page.locator(".best-answer")
        assert best.locator(".answer-text strong").inner_text() == "4 per cent"
        assert best.locator("meter").count() == 1
        assert best.bounding_box()["height"] > 0
        assert not errors, errors


def test_a_length_is_never_the_figure_of_a_share():
    sentence = "Egypt depends on the Nile River for 98 per cent of its water."
    assert best_span(sentence, analyze_question("How long is the Nile river?"))[0] is None
    assert asks_for_a_measure("How tall is Mount Everest?")
    assert not asks_for_a_measure("How many refugees does Chad host?")
    measured = "The Nile is 6,650 km long and 98 per cent of Egypt's water comes from it."
    span, _ = best_span(measured, analyze_question("How long is the Nile river?"))
    assert span is not None and span.text.startswith("6,650")


def test_when_takes_a_phrase_of_time_when_the_sentence_has_no_date():
    question = analyze_question("When did Warsaw start to rebuild?")
    span, _ = best_span("After liberation, Warsaw started to rebuild its palaces.", question)
    assert span is not None and span.text == "After liberation"
    # "after the fall of the Berlin Wall" only repeats the question: it says nothing of when.
    berlin = analyze_question("When did the Berlin Wall fall?")
    sentence = "The world took a dangerous trajectory after the fall of the Berlin Wall."
    assert time_phrases(sentence, set(berlin.terms)) == []
    assert best_span(sentence, berlin)[0] is None
    ago = "At the begin of the Holocene (~11,700 years ago), the Rhine occupied its valley."
    span, _ = best_span(ago, analyze_question("When was the Holocene?"))
    assert span is not None and "11,700 years ago" in span.text
    # A clause of time never ends on a stopword ("after the great floods of the").
    floods = "The old bridge was opened by the mayor after the great floods of the river."
    opened = analyze_question("When was the old bridge opened?")
    assert [floods[a:b] for a, b in time_phrases(floods, set(opened.terms))] == [
        "after the great floods"
    ]
    # "At a time of" says no time ("governance at a time" was listed for "when did").
    crisis = "Guidance met the challenges of migration governance at a time of crisis."
    took = analyze_question("When did UNITAR take over the chairmanship of the Group?")
    assert time_phrases(crisis, set(took.terms)) == []


def test_when_opening_a_condition_asks_no_time():
    assert when_opens_a_condition("When the Rhine leaves Lake Constance, which way does it flow?")
    assert not when_opens_a_condition("When did the Berlin Wall fall?")
    # The question word that asks after the condition sets the type.
    assert expected_type("When John Fox left the Broncos, who replaced him?") == PERSON
    assert expected_type("When the Rhine leaves Lake Constance, which way does it flow?") is None
    assert expected_type("When did the Berlin Wall fall?") == DATE


def test_only_a_person_answers_who_is_the_president_of_or_who_wrote():
    assert asks_for_a_person("Who is the president of the Federal Reserve?")
    assert asks_for_a_person("Who was the first emperor of Rome?")
    assert asks_for_a_person("Who wrote War and Peace?")
    assert not asks_for_a_person("Who won the 2018 FIFA World Cup?")  # a team may win
    assert not asks_for_a_person("Who built the bridge?")  # so may a company


def _features(question: str, sentence: str, span_text: str | None, passage: str = "") -> dict:
    """The confidence features of an answer sentence with a given short answer."""
    start = sentence.find(span_text) if span_text else -1
    span = Span(start, start + len(span_text), span_text) if span_text else None
    sentence_features = dict.fromkeys(
        ("overlap", "passage_overlap", "unmatched", "bigrams", "passage_bigrams"), 0.5
    )
    sentence_features.update(when_missing=1.0, order=0.5, passage_near=0.0)
    asked = analyze_question(question)
    return confidence.answer_features(sentence_features, asked, passage or sentence, span, 0.5)


def test_a_body_a_figure_or_an_echo_is_no_person():
    imf = "The International Monetary Fund cannot follow the Federal Reserve."
    fed = "Who is the president of the Federal Reserve?"
    assert _features(fed, imf, "International Monetary Fund")["not_a_person"] == 1.0
    rome = "It is said that the Roman emperor Nero fiddled while Rome burned."
    assert _features("Who was the first emperor of Rome?", rome, "Roman")["not_a_person"] == 1.0
    expo = "We congratulate Saudi Arabia on its bid to host Expo 2030."
    assert _features("Who won the 2018 FIFA World Cup?", expo, "Expo 2030")["not_a_person"] == 1.0
    lopes = "The Executive Director of UNITAR, Mr. Carlos Lopes, delivered it."
    who = "Who is the executive director of UNITAR?"
    assert _features(who, lopes, "Carlos Lopes")["not_a_person"] == 0.0


def test_a_year_the_passage_does_not_hold_and_a_when_without_time():
    question = "Who won the Nobel Prize in Literature in 2016?"
    sentence = "Its author would later win the Nobel Prize in Literature."
    assert _features(question, sentence, "author")["years_missing"] == 1.0
    assert _features(question, sentence + " It was 2016.", "author")["years_missing"] == 0.0
    press = "The printing press, it was claimed, would limit the depth of thought."
    assert _features("When was the printing press invented?", press, None)["no_time"] == 1.0


# Questions whose list of answers repeated an answer ("Dubai" three times, "Athens" twice)
# or offered fragments of another kind ("hope" for "where", "Secretary-General" for "who").
LISTS = (
    "Where was COP28 held?",
    "Where will COP29 be hosted?",
    "Where was the third Global Forum on Migration and Development held?",
    "Who was the first Secretary-General of the International Maritime Organization?",
)


@pytest.mark.parametrize("question", LISTS)
def test_a_clean_list_no_repeat_and_no_answer_of_another_kind(handle, question):
    answers = qa.ask(handle, question, limit=5)["answers"]
    shown = [normalized(a["answer"] or a["sentence"]) for a in answers]
    assert len(set(shown)) == len(shown), shown
    sentences = [normalized(a["sentence"]) for a in answers]
    assert len(set(sentences)) == len(sentences)
    for a in answers[1:]:
        if a["answer"] is None:
            continue  # a sentence to read: its phrase was of another kind
        assert a["answer"][0].isupper(), a["answer"]
        assert a["answer"] not in ("Secretary-General", "Conference", "Climate Finance Goal")
        if question.startswith("Where"):
            key = tuple(TOKEN.findall(a["answer"]))
            assert key in places().entries or a["answer"] in country_names(), a["answer"]
    # One headline figure per answer: its own; the sentence's is the secondary one.
    assert all(set(a) >= {"confidence", "sentence_confidence"} for a in answers)


# Questions whose lists gave a part of the best answer as another ("treat" after "treat,
# train and retain", "2009" after "1 June 2009").
PARTS = (
    "What strategy did the Global Health Workforce Alliance advocate?",
    "When did UNITAR take over the chairmanship of the Global Migration Group?",
)


@pytest.mark.parametrize("question", PARTS)
def test_no_answer_is_a_part_of_one_above(handle, question):
    answers = [a["answer"] for a in qa.ask(handle, question, limit=5)["answers"]]
    assert answers[0] in ("treat, train and retain", "1 June 2009")
    for k, answer in enumerate(answers[1:], start=1):
        if answer is not None:  # None: a sentence to read
            words = f" {normalized(answer)} "
            assert not any(words in f" {normalized(a)} " for a in answers[:k] if a), answers


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        (
            "• Your Excellency António Guterres, Secretary General of the United Nations;",
            "António Guterres",
        ),
        ("We thank His Excellency Mr. Philémon Yang for his work.", "Philémon Yang"),
        ("A statement by the Executive Director, Mr. Carlos Lopes, opened it.", "Carlos Lopes"),
        ("Madam Amina Mohammed spoke.", "Amina Mohammed"),
    ],
)
def test_a_name_is_given_without_its_form_of_address(sentence, name):
    assert name in [without_address(s).text for s in find_spans(sentence, PERSON)]


@pytest.mark.parametrize(
    ("phrase", "person"),
    [
        ("Carlos Lopes", True),
        ("Antonio Guterres", True),
        ("George Washington", True),
        ("Ban Ki-moon", True),
        ("Distinguished delegates", False),
        ("Arab Contact Committee", False),
        ("Secretary-General", False),
        ("Mr", False),
        ("Excellencies", False),
        ("Bulgaria remains", False),
        ("UN General Assembly", False),
        ("Expo 2030", False),
    ],
)
def test_what_can_name_a_person(phrase, person):
    assert could_be_a_person(Span(0, len(phrase), phrase)) is person


def test_more_questions_ask_for_a_person_only():
    assert asks_for_a_person("Who was the first United Nations High Commissioner for Refugees?")
    assert asks_for_a_person("Who presided over the first session of the General Assembly?")
    assert not asks_for_a_person("Who won the 2018 FIFA World Cup?")


def test_un_questions_the_shelf_does_not_answer_are_refused(handle):
    """30 UN-topic questions whose answers no file of corpus/ states (checked by the bench
    before asking): at least 27 refused, the issue's example among them."""
    from bench.qa_refusals import un_questions

    questions = un_questions(CORPUS)
    assert len(questions) == 30
    answered = {}
    for q in questions:
        body = qa.ask(handle, q)
        if not body["no_answer"]:
            answered[q] = body["answers"][0]["answer"]
    # 28 of 30 refused by bench/qa_refusals.py (docs/qa.md); close calls between candidates
    # vary with the machine's threads by a question or so.
    assert len(answered) <= 3, answered
    iom = "Who was Director General of the International Organization for Migration in 2009?"
    assert iom not in answered


def test_general_knowledge_of_the_refusal_bench_is_refused(handle):
    """The 60 general-knowledge questions of bench/qa_refusals.py: at least 56 refused (57 by
    the bench, docs/qa.md; 54 before the answer model learnt from passages on the question's
    topic that do not state its fact: "three" for the keys of a piano, "courage" for the main
    ingredient of guacamole). Close calls vary with the machine's threads by a question."""
    from bench.qa_refusals import OUT_OF_SHELF as GENERAL

    assert len(GENERAL) == 60
    answered = {
        q: b["answers"][0]["answer"] for q in GENERAL if not (b := qa.ask(handle, q))["no_answer"]
    }
    assert len(answered) <= 4, answered


def test_a_person_asked_by_role_and_body_needs_a_sentence_naming_the_body():
    """The issue's example: "Carlos Lopes" (UNITAR's Executive Director) for the IOM's."""
    iom = analyze_question(
        "Who was Director General of the International Organization for Migration in 2009?"
    )
    lopes = "Mr. Carlos Lopes, Executive Director of UNITAR, delivered the statement."
    assert confidence.body_missing(iom, lopes)
    assert not confidence.body_missing(iom, "William Swing, Director General of IOM, spoke.")
    guterres = "Secretary-General Antonio Guterres said the United Nations must act."
    sg = analyze_question("Who is the Secretary-General of the United Nations?")
    assert not confidence.body_missing(sg, guterres)
    # Not a person by role: "who delivered" may be anyone, the rule does not apply.
    delivered = analyze_question("Who delivered the joint GMG statement at the Global Forum?")
    assert not confidence.body_missing(delivered, lopes)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "COP28, held in the United Arab Emirates ... COP29, to be hosted this year by
        # Azerbaijan": the place in the clause of the question's words.
        ("Where was COP28 held?", ("United Arab Emirates", "Dubai")),
        ("Where will COP29 be hosted?", ("Azerbaijan", "Baku")),
        # 'a strategy of "treat, train and retain." This approach, advocated by the Global
        # Health Workforce Alliance (GHWA), ...': not the asker's own initials.
        (
            "What strategy did the Global Health Workforce Alliance advocate?",
            ("treat, train and retain",),
        ),
    ],
)
def test_the_span_bound_to_the_questions_words(client, question, expected):
    body = client.get("/api/ask", query_string={"q": question}).get_json()
    assert not body["no_answer"]
    assert body["answers"][0]["answer"] in expected


# Wrong answers shown at over 50% (and "Jerusalem" at 7%, from France's own statement)
# before the answer had to be bound to what was asked: tests/test_qa_bound_answers.py.
UNBOUND = (
    "What is the capital of France?",
    # "East Jerusalem" (5%): "with East Jerusalem as its capital" in South Africa's statement.
    "What is the capital of Ukraine?",
    "When did the Treaty on the Non-Proliferation of Nuclear Weapons enter into force?",
    "When was the International Fund for Agricultural Development founded?",
    "Who was the first United Nations Secretary-General from Africa?",
    "Who was the Executive Secretary of the United Nations Framework Convention on Climate"
    " Change in 2009?",
)


@pytest.mark.parametrize("question", UNBOUND)
def test_answers_not_bound_to_the_question_are_refused(handle, question):
    body = qa.ask(handle, question)
    assert body["no_answer"], body["answers"][:1]


def test_a_capital_bound_to_its_country_and_a_country_before_its_city(handle):
    assert qa.ask(handle, "What is the capital of Poland?")["answers"][0]["answer"] == "Warsaw"
    shown = {
        a["answer"]: a["confidence"] for a in qa.ask(handle, "Where was COP28 held?")["answers"]
    }
    # "Dubai" (53%) was listed under "United Arab Emirates" (50%).
    assert shown["United Arab Emirates"] >= max(shown.get("Dubai", 0.0), *shown.values())

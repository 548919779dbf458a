"""What a statement says is said in its own context: "eleven million of our people" in one
country's statement is that country's figure, not the world's, and a question naming the
speaker's country ("Costa Rica's inhabitants") is answered by it; "President of the General
Assembly" in a statement to the 79th session is the 79th's. Asked through the real app on
statements written by the test, with each speaker's country and title given by a
metadata.csv as for the bundled speeches."""

from __future__ import annotations

import pytest
from shelves import ask, shelf_client

from search_app.qa import confidence
from search_app.qa.answer_types import NUMBER, PERCENT, PLACE, Span, vague_quantity
from search_app.qa.question import analyze_question
from search_app.qa.relation import asked_relation, unbound
from search_app.qa.scope import names_a_place, own_figure, place_figure

METADATA = (
    "file,title,country,year,doc_type\n"
    "bgd.txt,Bangladesh - General Debate statement,Bangladesh,2024,speech\n"
    "cri.txt,Costa Rica - General Debate statement,Costa Rica,2024,speech\n"
    "ecu.txt,Ecuador - General Debate statement,Ecuador,2024,speech\n"
    'syr.txt,"Syria - General Debate statement, 79th session (2024)",Syria,2024,speech\n'
    "slv.txt,El Salvador - General Debate statement,El Salvador,2024,speech\n"
    "pry.txt,Paraguay - General Debate statement,Paraguay,2024,speech\n"
)
STATEMENTS = {
    "metadata.csv": METADATA,
    "bgd.txt": (
        "Bangladesh - General Debate statement\n\n"
        "As a country of origin of migrants, over eleven million of our people live and"
        " work worldwide.\n\n"
        "We call for safe, orderly and regular pathways of migration for all.\n"
    ),
    "cri.txt": (
        "Costa Rica - General Debate statement\n\n"
        "We are a nation that welcomes those who flee.\n\n"
        "Today 11 per cent of our inhabitants are migrants.\n"
    ),
    "ecu.txt": (
        "Ecuador - General Debate statement\n\n"
        "Behind irregular migration are networks of human trafficking and migrant smuggling"
        " that endanger millions, particularly women and children.\n"
    ),
    "syr.txt": (
        "Syria - General Debate statement\n\n"
        "Your Excellency Philemon Yang, President of the General Assembly, I congratulate you"
        " on your election.\n"
    ),
    "pry.txt": (
        "Paraguay - General Debate statement\n\n"
        "Paraguay hosts many migrants from its neighbours. Migrants in Paraguay work in"
        " farming. Paraguay protects migrants and their families. Migrants who reach"
        " Paraguay find schools for their children.\n"
    ),
    "slv.txt": (
        "El Salvador - General Debate statement\n\n"
        "We have just signed an agreement with Google to digitize the State and services such"
        " as education and health.\n"
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    return shelf_client(tmp_path_factory, "scope", STATEMENTS)


def test_a_speakers_own_figure_is_no_answer_for_the_world(client):
    body = ask(client, "How many migrants are there in the world?")
    assert body["no_answer"], body["answers"][:1]
    # The sentences stay to read, without a short answer taken from them.
    shown = {a["answer"] for a in body["answers"]}
    assert not shown & {"eleven million", "11", "11 per cent", "millions"}, shown


def test_a_question_naming_the_speakers_country_is_answered_by_its_own_figure(client):
    body = ask(client, "How many people from Bangladesh live and work worldwide?")
    assert not body["no_answer"]
    assert body["answers"][0]["answer"] == "eleven million"


def test_a_possessive_name_is_found_where_the_text_names_it(client):
    # "Costa Rica's" in the question, "Costa Rica" in the title, "our" in the sentence.
    body = ask(client, "What share of Costa Rica's inhabitants are migrants?")
    assert not body["no_answer"], body["answers"][:1]
    assert body["answers"][0]["answer"] == "11 per cent"


def test_own_figure_needs_a_first_person_word_in_the_figures_clause():
    sentence = "Over eleven million of our people live abroad; 3 million refugees are hosted."
    ours = Span(5, 19, "eleven million")
    other = Span(sentence.index("3 million"), sentence.index("3 million") + 9, "3 million")
    asked = "How many migrants are there?"
    assert own_figure(asked, NUMBER, sentence, ours, "Bangladesh")
    assert not own_figure(asked, NUMBER, sentence, other, "Bangladesh")
    assert not own_figure("How many Bangladesh migrants?", NUMBER, sentence, ours, "Bangladesh")
    # Not a statement of a country, or not a figure asked: not judged here.
    assert not own_figure(asked, NUMBER, sentence, ours, "")
    assert not own_figure("Who lives abroad?", None, sentence, ours, "Bangladesh")
    assert own_figure(
        "What share?", PERCENT, "11 per cent of our inhabitants", Span(0, 2, "11"), "Chile"
    )


def test_a_quantity_without_a_figure_is_vague():
    assert vague_quantity("millions") and vague_quantity("tens of thousands")
    assert not vague_quantity("eleven million") and not vague_quantity("2 million")


def test_names_away_reads_a_possessive_name_as_the_name():
    question = analyze_question("What share of Costa Rica's inhabitants are migrants?")
    assert confidence.names_away(question, "Costa Rica - statement\n11 per cent") == 0.0
    assert confidence.names_away(question, "Chile - statement\n11 per cent") == 1.0


def test_a_holder_named_in_a_statement_to_another_session_is_no_answer(client):
    body = ask(client, "Who was President of the General Assembly at its sixty-fourth session?")
    assert body["no_answer"], body["answers"][:1]
    asked_of_its_own = ask(client, "Who was President of the General Assembly at its 79th session?")
    assert not asked_of_its_own["no_answer"]
    assert "Philemon Yang" in asked_of_its_own["answers"][0]["answer"]


def test_where_asks_the_relation_of_a_named_entity():
    # "digitize the State", in a sentence naming Google, is not where its headquarters are.
    google = asked_relation("Where is the headquarters of Google?")
    assert google is not None and google.name == "Google"
    signed = "We have just signed an agreement with Google to digitize the State."
    assert unbound(google, signed, PLACE)
    assert not unbound(google, "The headquarters of Google are in Mountain View.", PLACE)


def test_a_passage_already_listed_is_not_listed_again_to_read(client):
    # Four sentences of one paragraph name Paraguay's migrants, none with a short answer:
    # the paragraph is listed once, not once a sentence.
    body = ask(client, "Why do migrants go to Paraguay?")
    listed = [a["passage_id"] for a in body["answers"]]
    assert len(listed) == len(set(listed)), listed


CHAD = "Out of a total population of 17 million Chadians, nearly 2 million are refugees."
WORLD = "There are today more than 108 million people forcibly displaced around the world."
PLACES = {
    "metadata.csv": (
        "file,title,country,year,doc_type\n"
        "tcd.txt,Chad - General Debate statement,Chad,2024,speech\n"
        "pry.txt,Paraguay - General Debate statement,Paraguay,2024,speech\n"
    ),
    "tcd.txt": f"Chad - General Debate statement\n\nWe welcome those who flee. {CHAD}\n",
    "pry.txt": (
        "Paraguay - General Debate statement\n\n"
        "The war annihilated 90 per cent of the Paraguayan male population.\n"
    ),
}


@pytest.fixture(scope="module")
def places_client(tmp_path_factory: pytest.TempPathFactory):
    return shelf_client(tmp_path_factory, "places", PLACES)


def test_a_figure_of_one_place_is_no_answer_for_the_world(places_client):
    for question in (
        "How many refugees are there in the world?",
        "What percentage of the world's population are men?",
    ):
        body = ask(places_client, question)
        assert body["no_answer"], (question, body["answers"][:1])
    asked_of_the_place = ask(places_client, "How many refugees are there in Chad?")
    assert not asked_of_the_place["no_answer"]
    assert "2 million" in asked_of_the_place["answers"][0]["answer"]


def test_a_figure_is_the_worlds_where_its_sentence_says_so():
    world = "How many people are displaced in the world?"
    two_million = Span(CHAD.index("2 million"), CHAD.index("2 million") + 9, "2 million")
    assert place_figure(world, NUMBER, CHAD, two_million)
    at = WORLD.index("108 million")
    assert not place_figure(world, NUMBER, WORLD, Span(at, at + 11, "108 million"))
    assert not place_figure("How many refugees does Chad host?", NUMBER, CHAD, two_million)
    assert not place_figure("How many refugees are there?", NUMBER, CHAD, two_million)


def test_places_and_their_peoples_are_recognised():
    named = ["17 million Chadians", "the Paraguayan male population", "Turkmen citizenship"]
    named += ["African migrants", "the Syrian, Indian, Chinese and Iraqi people", "in Lebanon"]
    for text in named:
        assert names_a_place(f"Of {text}."), text
    for text in ["the Permanent Representative", "Indigenous Children", "the Together Fund"]:
        assert not names_a_place(f"Of {text}."), text


def test_a_count_of_countries_or_years_is_no_count_of_people():
    sentence = (
        "The world's top 50 most climate-vulnerable countries are home to 40 per cent of them."
    )
    fifty = Span(sentence.index("50"), sentence.index("50") + 2, "50")
    asked = "How many people live in extreme poverty in the world?"
    assert confidence.counts_other(asked, sentence, fifty)
    assert not confidence.counts_other("How many countries are most vulnerable?", sentence, fifty)
    hosted = "Chad hosts more than two million refugees, around 15 per cent of its population."
    two = Span(hosted.index("two million"), hosted.index("two million") + 11, "two million")
    assert not confidence.counts_other("How many refugees does Chad host?", hosted, two)
    served = "She served 20 years as a judge before 3 million people elected her."
    twenty = Span(served.index("20"), served.index("20") + 2, "20")
    assert confidence.counts_other("How many people elected her?", served, twenty)

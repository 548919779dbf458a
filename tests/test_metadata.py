"""Facet values, titles, dates and overrides (the indexer/metadata/ package)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import REPO, SEED

from indexer.extraction import extract
from indexer.metadata import (
    enrich,
    goals,
    iso_date,
    organization_aliases,
    read_overrides,
)
from indexer.metadata.gazetteer import country_name, organizations, places
from indexer.models import FACETS, Document, Page
from indexer.structure import build_passages

B_START = 'B. UNITAR "MIGRATION AND DEVELOPMENT" SEMINAR SERIES'


@pytest.fixture(scope="module")
def seed():
    document = extract(SEED, "corpus/unitar-migration-2009.txt")
    return enrich(document, *build_passages(document), read_overrides(SEED))


def index(text: str, name: str = "doc.txt", overrides: dict | None = None, **fields):
    document = Document(
        document_id=f"test/{name}",
        path=fields.pop("path", f"/nowhere/{name}"),
        format="text",
        content_hash="0" * 64,
        pages=tuple(Page(i + 1, page) for i, page in enumerate(text.split("\f"))),
        **fields,
    )
    return enrich(document, *build_passages(document), overrides or {})


def passage_with(indexed, words: str):
    [passage] = [p for p in indexed.passages if words in p.text]
    return passage


# --- the seed report -----------------------------------------------------------------------


def test_seed_title_year_type_language(seed):
    assert seed.title == (
        "Fostering Knowledge, Dialogue and Coordination on International Migration"
    )
    assert seed.metadata["date"] == "2009"
    assert seed.metadata["year"] == ("2009",)
    assert seed.metadata["language"] == ("English",)
    assert seed.metadata["doc_type"] == ("report",)  # one type per document
    assert seed.metadata["publisher"] == ("UNITAR",)  # named on its title page
    for passage in seed.passages:
        assert set(passage.facets) == set(FACETS)
        assert passage.facets["year"] == ("2009",)
        assert passage.facets["language"] == ("English",)
        assert passage.facets["doc_type"] == ("report",)


def test_seed_organizations(seed):
    found = set(seed.metadata["organization"])
    assert {"UNITAR", "IOM", "UNFPA", "UNDP", "GMG", "WHO", "World Bank", "GFMD"} <= found
    assert "MDGs" not in found  # "(MDGs)" is defined like an acronym but names no body
    chair = passage_with(seed, "UNITAR assumed the chairmanship of the GMG")
    assert {"UNITAR", "GMG", "IOM", "World Bank"} <= set(chair.facets["organization"])
    code = passage_with(seed, "World Health Organization (WHO) Global Code")
    assert "WHO" in code.facets["organization"]
    # Defined in the text only: Global Health Workforce Alliance (GHWA).
    assert "GHWA" in passage_with(seed, "treat, train and retain").facets["organization"]
    assert seed.metadata["organization_names"]["GHWA"] == "Global Health Workforce Alliance"


def test_seed_places_and_countries_mentioned_apart(seed):
    assert {"Athens", "Brussels"} <= set(seed.metadata["place"])
    assert {"Greece", "Belgium", "Sierra Leone", "Spain"} <= set(seed.metadata["mentioned_country"])
    assert not set(seed.metadata["place"]) & set(seed.metadata["mentioned_country"])
    statement = passage_with(seed, "Mr. Carlos Lopes")
    assert set(statement.facets["place"]) == {"Athens"}
    assert set(statement.facets["mentioned_country"]) == {"Greece"}
    sierra = passage_with(seed, "example of Sierra Leone")
    assert "Sierra Leone" in sierra.facets["mentioned_country"]


def test_seed_goals_and_topics(seed):
    mdg6 = "MDG 6: Combat HIV/AIDS; malaria and other diseases"
    assert mdg6 in seed.metadata["goal"]
    assert mdg6 in passage_with(seed, "achievement of MDG 6").facets["goal"]
    assert mdg6 not in passage_with(seed, "UNITAR assumed the chairmanship").facets["goal"]
    topics = seed.metadata["topic"]
    assert 1 <= len(topics) <= 5
    assert "health workers" in topics or "health care" in topics
    assert "health care" in passage_with(seed, "treat, train and retain").facets["topic"]


# --- names ---------------------------------------------------------------------------------


def test_organization_aliases_map_names_to_facet_values():
    aliases = organization_aliases()
    assert aliases["international organization for migration"] == "IOM"
    assert aliases["iom"] == "IOM"
    assert aliases["united nations fund for population activities"] == "UNFPA"
    assert aliases["world bank"] == "World Bank"
    assert aliases["macarthur foundation"] == "MacArthur Foundation"


def test_organization_matching_is_longest_first_and_guards_word_acronyms():
    finder = organizations()
    assert finder.find("the United Nations Development Programme said") == ["UNDP"]
    assert finder.find("WHO WE ARE AND WHAT WE DO") == []
    assert finder.find("Who decides? The WHO, UNICEF and IOM do.") == ["WHO", "UNICEF", "IOM"]
    assert finder.find("UNICEF, WHO and UNFPA") == ["UNICEF", "WHO", "UNFPA"]


def test_acronyms_defined_in_the_text_become_organizations():
    indexed = index(
        "The Global Widget Council (GWC) met twice. "
        + "The GWC agreed on a plan and the Millennium Development Goals (MDGs) were discussed. "
        * 5
    )
    assert "GWC" in indexed.metadata["organization"]
    assert "MDGs" not in indexed.metadata["organization"]
    assert indexed.metadata["organization_names"] == {"GWC": "Global Widget Council"}


def test_places_are_capitalised_names_without_false_friends():
    finder = places()
    assert finder.find("Male workers in the Republic of Korea and in Greece") == [
        "South Korea",
        "Greece",
    ]
    assert finder.find("a rise of one per cent in greece and chad") == []
    assert finder.find("from Guinea-Bissau to Papua New Guinea and Niger, Nigeria") == [
        "Guinea-Bissau",
        "Papua New Guinea",
        "Niger",
        "Nigeria",
    ]
    assert finder.find("talks in Geneva, New York and Addis Ababa") == [
        "Geneva",
        "New York",
        "Addis Ababa",
    ]
    assert finder.find("Iran (Islamic Republic of) and the United States of America") == [
        "Iran",
        "United States",
    ]


def test_country_names_have_no_commas():
    assert country_name("GRC") == "Greece"
    assert country_name("KOR") == "South Korea"
    assert country_name("COD") == "Democratic Republic of the Congo"
    assert country_name("EU") == "European Union"
    assert country_name("XXX") == ""


# --- goals, dates, symbols, types ----------------------------------------------------------


def test_goals():
    assert goals("progress on SDG 13 and SDG13 and SDG 18") == ["SDG 13"]
    assert goals("Goal 6 and Goals 3 and 4", family="MDG") == ["MDG 6", "MDG 3", "MDG 4"]
    assert goals("Sustainable Development Goal 14: oceans") == ["SDG 14"]
    assert goals("the Millennium Development Goals") == ["MDGs"]
    assert goals("the 2030 Agenda for Sustainable Development") == ["SDGs"]


def test_iso_date():
    assert iso_date("2009-06-01") == "2009-06-01"
    assert iso_date("D:20091231120000+01'00'") == "2009-12-31"
    assert iso_date("1 June 2009") == "2009-06-01"
    assert iso_date("2009") == "2009"
    assert iso_date("next year") == ""


def test_un_masthead_gives_symbol_organ_date_and_type():
    masthead = (
        "United Nations  S/2025/102\n\nSecurity Council\n\nDistr.: General\n17 February 2025\n"
        "English\nOriginal: French\n\n"
        "Letter dated 17 February 2025 from the Permanent Representative of the Democratic "
        "Republic of the Congo to the United Nations addressed to the President of the "
        "Security Council\n\n"
        "On instructions from my Government, I have the honour to refer to the events "
        "reported to the Security Council at its meetings on 26 and 28 January 2025. " * 3
    )
    indexed = index(masthead, metadata={"date": "2026-01-01"})
    assert indexed.metadata["symbol"] == ("S/2025/102",)
    assert indexed.metadata["organ"] == ("Security Council",)
    assert indexed.metadata["date"] == "2025-02-17"  # the printed date beats file metadata
    assert indexed.metadata["doc_type"] == ("letter",)
    assert "Democratic Republic of the Congo" in indexed.metadata["mentioned_country"]
    assert indexed.metadata["country"] == ("Democratic Republic of the Congo",)
    assert all(p.facets["country"] == indexed.metadata["country"] for p in indexed.passages)


def test_symbol_from_file_name():
    text = "Report of the Secretary-General on the question. " * 10
    indexed = index(text, name="A_78_375.en.pdf", path="/data/A_78_375.en.pdf")
    assert indexed.metadata["symbol"] == ("A/78/375",)
    assert indexed.metadata["organ"] == ("General Assembly",)
    resolution = index(text, name="A_RES_78_1.en.pdf", path="/data/A_RES_78_1.en.pdf")
    assert resolution.metadata["doc_type"] == ("resolution",)
    assert index(text, name="notes-2020.txt").metadata["symbol"] == ()


def test_title_falls_back_to_file_name_made_readable():
    text = "A short note without any heading at all, written in 2019. " * 5
    indexed = index(text, name="field-notes_kenya.txt", metadata={"title_from": "filename"})
    assert indexed.title == "Field notes kenya"
    assert indexed.metadata["year"] == ("2019",)


# --- overrides -----------------------------------------------------------------------------


def write_report(folder: Path, name: str = "report.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        "ANNUAL REPORT\n\nIn 2015 the Global Migration Group met in Athens. " * 4, "utf-8"
    )
    return path


def test_sidecar_overrides_win(tmp_path):
    path = write_report(tmp_path)
    (tmp_path / "report.txt.meta.json").write_text(
        json.dumps(
            {
                "title": "Custom title",
                "doc_type": "resolution",
                "organization": ["IOM", "UNHCR"],
                "date": "2010-05-01",
                "author": "UNITAR",
            }
        ),
        "utf-8",
    )
    overrides = read_overrides(path)
    assert overrides["organization"] == ("IOM", "UNHCR")
    document = extract(path, "test/report.txt")
    indexed = enrich(document, *build_passages(document), overrides)
    assert indexed.title == "Custom title"
    assert indexed.metadata["date"] == "2010-05-01"
    assert indexed.metadata["author"] == "UNITAR"
    for passage in indexed.passages:
        assert passage.facets["doc_type"] == ("resolution",)
        assert passage.facets["year"] == ("2010",)
        assert passage.facets["organization"] == ("IOM", "UNHCR")
        assert passage.facets["place"] == ("Athens",)  # not overridden: still derived


def test_metadata_csv_in_parent_folders_nearest_wins(tmp_path):
    path = write_report(tmp_path / "reports" / "2015")
    (tmp_path / "metadata.csv").write_text(
        "file,doc_type,country,organization\nreports/2015/report.txt,note,Greece,IOM; UNFPA\n",
        "utf-8",
    )
    assert read_overrides(path, root=tmp_path) == {
        "doc_type": ("note",),
        "country": ("Greece",),
        "organization": ("IOM", "UNFPA"),
    }
    (tmp_path / "reports" / "metadata.csv").write_text(
        "file,title,country\n./2015/report.txt,Nearer title,Spain\nother.txt,x,Italy\n", "utf-8"
    )
    overrides = read_overrides(path, root=tmp_path)
    assert overrides["country"] == ("Spain",)
    assert overrides["title"] == "Nearer title"
    assert overrides["doc_type"] == ("note",)
    # Above the corpus root nothing is read.
    assert "doc_type" not in read_overrides(path, root=tmp_path / "reports")
    (path.parent / "report.txt.meta.json").write_text('{"country": "Italy"}', "utf-8")
    assert read_overrides(path, root=tmp_path)["country"] == ("Italy",)


def test_broken_metadata_files_are_ignored(tmp_path):
    path = write_report(tmp_path)
    (tmp_path / "metadata.csv").write_bytes(b"file,country\nreport.txt,\xff\xfe bad\n")
    (tmp_path / "report.txt.meta.json").write_text("{not json", "utf-8")
    assert read_overrides(path, root=tmp_path) == {}
    (tmp_path / "metadata.csv").write_text("file,country\nreport.txt,Peru,extra\n", "utf-8")
    assert read_overrides(path, root=tmp_path) == {"country": ("Peru",)}


def test_bundled_general_debate_metadata_is_read():
    path = REPO / "corpus/ungdc/2023/GRC_78_2023.txt"
    overrides = read_overrides(path, root=REPO / "corpus")
    assert overrides == {
        "title": "Greece - General Debate statement, 78th session (2023)",
        "country": ("Greece",),
        "year": ("2023",),
        "date": "2023",
        "doc_type": ("speech",),
        "publisher": ("UNGA",),
    }
    document = extract(path, "corpus/ungdc/2023/GRC_78_2023.txt")
    indexed = enrich(document, *build_passages(document), overrides)
    assert indexed.title == overrides["title"]
    assert indexed.metadata["country"] == ("Greece",)
    assert all(p.facets["country"] == ("Greece",) for p in indexed.passages)
    assert all(p.facets["doc_type"] == ("speech",) for p in indexed.passages)
    assert "Greece" in indexed.metadata["mentioned_country"]  # the speaker, also mentioned
    assert "Greece" not in indexed.metadata["place"]  # places are never countries
    assert "EU" in indexed.metadata["organization"]


# --- any input -----------------------------------------------------------------------------

WORDS = [
    "IOM",
    "WHO",
    "Greece",
    "Korea, Republic of",
    "Goal 6",
    "SDG 13",
    "(GWC)",
    "Global Widget Council",
    "2009",
    "1 June 2009",
    "A/78/375",
    "health workers",
    "Male",
    "migration",
    ".",
    ",",
    "\n\n",
    "B. SEMINAR SERIES\n\n",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=300))
def test_any_text_gives_facets_without_commas(tokens):
    indexed = index(" ".join(tokens))
    for passage in indexed.passages:
        assert set(passage.facets) == set(FACETS)
        for values in passage.facets.values():
            assert isinstance(values, tuple)
            assert all(value and "," not in value for value in values)
    assert isinstance(indexed.title, str) and indexed.title

"""The kind of answer a question asks for, when its wording names it after "what is the"
("the population of", "the capital of"): a sentence without a figure does not answer how many
live somewhere, on a small shelf written by the test and asked through the real app."""

from __future__ import annotations

import pytest
from shelves import index_shelf

from search_app.qa.answer_types import NUMBER, PLACE, expected_type
from search_app.web import create_app

ISLAND = (
    "Kelp Island\n\n"
    "Summing up those discussions in a recent speech in Port Kelp, the minister of Kelp Island"
    " said that the fisheries of Kelp Island need the private sector to invest.\n"
)
HARBOUR = "Tide Bay\n\nThe harbour of Tide Bay handled 4,200 vessels in 2031.\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    index_dir = index_shelf(
        tmp_path_factory.mktemp("kind"), {"kelp-island.md": ISLAND, "tide-bay.md": HARBOUR}
    )
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CORPUS_DIRS": []})
    return app.test_client()


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What is the population of Tokyo?", NUMBER),
        ("What was the total number of patents that Tesla had?", NUMBER),
        ("What is the record number of touchdowns Cam Newton has had?", NUMBER),
        ("What is the capital of Australia?", PLACE),
        ("What was the capital city of the Mongol Empire?", PLACE),
        # Not a city: the capital of a fund, and "what" asking for no kind.
        ("What is the capital requirement of the fund?", None),
        ("What is the main ingredient of guacamole?", None),
    ],
)
def test_the_kind_named_after_what_is_the(question, kind):
    assert expected_type(question) == kind


def test_how_many_live_there_is_not_answered_without_a_figure(client):
    body = client.get("/api/ask", query_string={"q": "What is the population of Kelp Island?"})
    assert body.status_code == 200
    assert body.get_json()["no_answer"] is True
    # A figure of the asked kind is still found where the shelf states one.
    ships = client.get(
        "/api/ask", query_string={"q": "How many vessels did the harbour of Tide Bay handle?"}
    ).get_json()
    assert ships["answers"] and ships["answers"][0]["answer"] == "4,200"

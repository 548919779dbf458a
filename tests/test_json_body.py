"""JSON responses: the fast encoder writes the same JSON as Flask's own provider."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from search_app.web import create_app


@dataclasses.dataclass
class Place:
    page: int
    section: str


VALUES = {
    "text": "Côte d'Ivoire \u2026 <mark>naïve</mark>",
    "when": date(2024, 9, 24),
    "stamp": datetime(2024, 9, 24, 12, 30, tzinfo=UTC),
    "place": Place(3, "Débat général"),
    "safe": Markup("<b>x</b>"),
    "numbers": [1, 2.5, 0.1234, None, True],
    "second": {"b": 1, "a": 2},
}


def test_responses_mean_what_flasks_encoder_wrote(tmp_path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path), "WARM_UP": False})
    standard = DefaultJSONProvider(app)
    standard.sort_keys = app.json.sort_keys  # type: ignore[attr-defined]
    with app.app_context():
        for value in (VALUES, {1: "an int key"}, [VALUES, None]):
            ours = app.json.response(value).get_data()
            theirs = standard.response(value).get_data()
            assert json.loads(ours) == json.loads(theirs)
            assert ours.endswith(b"\n")
        # Written as UTF-8 (Flask's encoder escapes it): shorter, and the same text.
        assert "Côte d'Ivoire".encode() in app.json.response(VALUES).get_data()


def test_api_bodies_keep_their_key_order(client) -> None:
    body = client.get("/api/search?q=remittances").get_data(as_text=True)
    assert list(json.loads(body))[:3] == ["query", "total", "total_documents"]
    assert body.startswith('{"query":"remittances"')

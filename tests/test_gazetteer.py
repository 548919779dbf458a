"""Matching names in text (indexer/metadata/gazetteer.py): longest name first, names a
document defines, and the same answers from a text and from its tokens."""

from __future__ import annotations

from indexer.metadata.gazetteer import TOKEN, Gazetteer

NAMES = {
    "United Nations": "UN",
    "United Nations Development Programme": "UNDP",
    "Sierra Leone": "Sierra Leone",
    "WHO": "WHO",
}
TEXT = (
    "The United Nations Development Programme and the United Nations met in Sierra Leone; "
    "WHO came. THE WHO REPORT was read. The Green Fund (GF) paid, and the United States."
)


def test_longest_names_first_once_each_in_order():
    gazetteer = Gazetteer(NAMES, guarded=["WHO"])
    assert gazetteer.find(TEXT) == ["UNDP", "UN", "Sierra Leone", "WHO"]
    assert gazetteer.find("United") == []
    assert gazetteer.find("") == []


def test_names_a_document_defines_extend_a_copy():
    gazetteer = Gazetteer(NAMES, guarded=["WHO"])
    extended = gazetteer.extended({"Green Fund": "GF", "United Nations Development": "UND"})
    assert extended.find(TEXT) == ["UNDP", "UN", "Sierra Leone", "WHO", "GF"]
    assert extended.find("the United Nations Development Bank") == ["UND"]
    assert gazetteer.find("the Green Fund") == []  # the original is unchanged


def test_tokens_give_what_the_text_gives():
    gazetteer = Gazetteer(NAMES, guarded=["WHO"])
    for text in (TEXT, "WHO", "THE WHO", "Sierra Leone Sierra Leone United Nations"):
        assert gazetteer.find_tokens(TOKEN.findall(text)) == gazetteer.find(text)

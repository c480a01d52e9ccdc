"""User-facing texts: both languages complete, typed warnings keep their kind and text."""

from __future__ import annotations

import json
import pickle
import string

import pytest

from assistant.privacy import scan
from assistant.texts import TEXTS, AnswerWarning, kind_of, personal_data_warning, t, warning


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_text_exists_in_both_languages_with_the_same_fields() -> None:
    assert TEXTS["sv"].keys() == TEXTS["en"].keys()
    for key in TEXTS["sv"]:
        assert _fields(TEXTS["sv"][key]) == _fields(TEXTS["en"][key]), key


def test_unknown_language_falls_back_to_swedish() -> None:
    assert t("de", "abstain") == TEXTS["sv"]["abstain"]


def test_a_warning_is_a_string_with_a_kind() -> None:
    w = warning("llm_removed", "en", refs="[7]")
    assert w == TEXTS["en"]["llm_removed"].format(refs="[7]")
    assert w.kind == "llm_removed" and kind_of(w) == "llm_removed"
    assert kind_of("plain text") is None
    assert json.loads(json.dumps([w])) == [str(w)]
    back = pickle.loads(pickle.dumps(w))
    assert isinstance(back, AnswerWarning) and back.kind == "llm_removed" and back == w


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("sv", "personnummer", "personal identity number"),
        ("en", "personal identity number", "personuppgifter"),
    ],
)
def test_personal_data_warning_is_in_the_askers_language(
    lang: str, expected: str, absent: str
) -> None:
    w = scan("Gäller det 19811228-9874?", lang).warning
    assert w is not None and w.kind == "personal_data"
    assert expected in w and absent not in w


def test_no_personal_data_no_warning() -> None:
    assert personal_data_warning([], "en") is None
    assert scan("Hur hög är medfinansieringen?", "sv").warning is None

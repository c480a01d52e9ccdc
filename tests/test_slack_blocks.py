import json

from assistant.documents import Answer, Citation
from assistant.slack.blocks import (
    MAX_BLOCKS,
    SECTION_LIMIT,
    TEXT_LIMIT,
    answer_blocks,
    citation_mrkdwn,
    error_blocks,
    fallback_text,
    placeholder_blocks,
    split_text,
    to_mrkdwn,
    warning_emoji,
)
from assistant.texts import personal_data_warning, warning

ISF = Citation(1, "32021R1149_ISF", "ISF-förordningen", "Article 12", None,
               "https://eur-lex.europa.eu/eli/reg/2021/1149/oj", "The contribution ... 75 %")
STRATEGY = Citation(2, "strategi", "Nationell strategi", "3.2", 7, None, "...")


def answer(**kw) -> Answer:
    base = {"question": "q", "language": "sv", "text": "EU står för högst **75 %** [1].",
            "citations": [ISF, STRATEGY], "abstained": False}
    base.update(kw)
    return Answer(**base)


def all_text(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_answer_blocks_shape():
    blocks = answer_blocks(answer(), "42")
    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": "EU står för högst *75 %* [1]."}}
    s = all_text(blocks)
    assert "1. <https://eur-lex.europa.eu/eli/reg/2021/1149/oj|ISF-förordningen – Article 12>" in s
    assert "2. Nationell strategi – 3.2, s. 7" in s  # no URL: the document name
    actions = blocks[-1]
    assert actions["type"] == "actions"
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("feedback_useful", "42"), ("feedback_wrong", "42"), ("feedback_wrong_source", "42")]
    assert all(len(e["text"]["text"]) <= 75 for e in actions["elements"])


def test_warnings_become_context_blocks_with_emoji():
    a = answer(warnings=[personal_data_warning(["personnummer"], "sv"),
                         warning("superseded", "sv", title="ISF Gräns", until="", by=""),
                         warning("low_confidence", "sv"),
                         warning("llm_fallback", "sv")])
    ctx = [b for b in answer_blocks(a, "1") if b["type"] == "context"]
    assert [c["elements"][0]["text"].split()[0] for c in ctx] == [
        ":lock:", ":warning:", ":grey_question:", ":information_source:"]
    # The icon follows the kind, never the wording: a plain string that mentions personal
    # data is not a personal-data warning.
    assert warning_emoji("något annat") == ":information_source:"
    assert warning_emoji("personuppgifter nämns här") == ":information_source:"


def test_an_english_answer_gets_english_labels():
    a = answer(language="en", text="I cannot find support.", citations=[], abstained=True,
               related=[STRATEGY], warnings=[warning("low_confidence", "en")])
    s = all_text(answer_blocks(a, "1"))
    assert "Possibly related:" in s and "Kanske relaterat" not in s
    assert "Note: The answer rests on weak evidence" in fallback_text(a)


def test_abstained_answer_lists_related():
    a = answer(text="Jag hittar inget säkert stöd.", citations=[], abstained=True, related=[STRATEGY])
    s = all_text(answer_blocks(a, "1"))
    assert "Kanske relaterat:" in s and "Nationell strategi – 3.2" in s
    assert "Källor" not in s
    assert "Kanske relaterat:\n[2] Nationell strategi" in fallback_text(a)


def test_long_answers_respect_section_and_block_limits():
    para = ("Lorem ipsum dolor sit amet. " * 40).strip()
    a = answer(text="\n\n".join([para] * 200), citations=[ISF] * 30)
    blocks = answer_blocks(a, "1")
    assert len(blocks) <= MAX_BLOCKS
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= SECTION_LIMIT
    assert blocks[-1]["type"] == "actions"
    assert "förkortat" in all_text(blocks)
    assert len(fallback_text(a)) <= TEXT_LIMIT


def test_split_text_prefers_paragraphs_and_never_exceeds():
    text = "a" * 10 + "\n\n" + "b" * 10
    assert split_text(text, 15) == ["a" * 10, "b" * 10]
    pieces = split_text("x" * 7000, 3000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]
    assert split_text("") == []


def test_mrkdwn_conversion_and_escaping():
    assert to_mrkdwn("**Fet** och __också__") == "*Fet* och *också*"
    assert to_mrkdwn("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert to_mrkdwn("[EUR-Lex](https://eur-lex.europa.eu/x)") == "<https://eur-lex.europa.eu/x|EUR-Lex>"
    assert to_mrkdwn("## Rubrik\n- punkt") == "*Rubrik*\n• punkt"
    c = Citation(1, "d", "A | B <x>", "Article 1", None, "https://x.eu/a", "")
    assert citation_mrkdwn(c) == "<https://x.eu/a|A ¦ B &lt;x&gt; – Article 1>"


def test_fallback_text_lists_sources_and_warnings():
    t = fallback_text(answer(warnings=["Svaret bygger på en ersatt förordning."]))
    assert "[1] ISF-förordningen – Article 12 (https://eur-lex.europa.eu/eli/reg/2021/1149/oj)" in t
    assert "OBS: Svaret bygger på en ersatt förordning." in t


def test_placeholder_and_error_blocks_in_swedish():
    assert "Söker i dokumenten…" in all_text(placeholder_blocks())
    s = all_text(error_blocks("ab12cd"))
    assert "Något gick fel" in s and "`ab12cd`" in s


def test_no_buttons_without_question_id():
    assert all(b["type"] != "actions" for b in answer_blocks(answer(), ""))

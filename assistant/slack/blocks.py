"""Pure Block Kit builders for the Slack bot: answers, sources, warnings, feedback buttons."""

from __future__ import annotations

import re
from typing import Any

from ..documents import Answer, Citation
from ..texts import kind_of
from ..texts import t as _t

SECTION_LIMIT = 3000  # characters in a section block's text
CONTEXT_LIMIT = 3000
MAX_BLOCKS = 50
TEXT_LIMIT = 40000  # chat.postMessage `text`

FEEDBACK_ACTIONS = {
    "feedback_useful": (_t("sv", "slack_useful"), "useful"),
    "feedback_wrong": (_t("sv", "slack_wrong"), "wrong"),
    "feedback_wrong_source": (_t("sv", "slack_wrong_source"), "wrong_source"),
}
VOTES = {action: vote for action, (_, vote) in FEEDBACK_ACTIONS.items()}

SEARCHING = _t("sv", "searching")
# The icon in front of a warning, by its kind (texts.AnswerWarning); any other text gets ℹ️.
WARNING_EMOJI = {
    "personal_data": ":lock:",
    "superseded": ":warning:",
    "low_confidence": ":grey_question:",
}

Block = dict[str, Any]


# -- text conversion ---------------------------------------------------------------------------
def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A Markdown link whose URL holds no "|" (it would end Slack's <url|label> early and disguise
# the link) and, after escaping, no "<" or ">".
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s|]+)\)")
_SAFE_URL = re.compile(r"https?://[^\s<>|\"'`\\]+", re.I)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)
_UNDERSCORE_BOLD = re.compile(r"__(?=\S)(.+?)(?<=\S)__", re.S)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_BULLET = re.compile(r"^(\s*)[-*]\s+", re.M)


def to_mrkdwn(text: str) -> str:
    """Markdown-ish answer text (`**bold**`, `[t](url)`, `# heading`, `- item`) to Slack mrkdwn."""
    out = escape(text)
    out = _LINK.sub(lambda m: f"<{m[2]}|{_link_label(m[1], escaped=True)}>", out)
    out = _HEADING.sub(r"*\1*", out)
    out = _BULLET.sub(r"\1• ", out)
    out = _BOLD.sub(r"*\1*", out)
    out = _UNDERSCORE_BOLD.sub(r"*\1*", out)
    return out


def _link_label(label: str, *, escaped: bool = False) -> str:
    # "|" ends the label and ">" the link in Slack's <url|label> syntax.
    label = label if escaped else escape(label)
    return label.replace("|", "¦")


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split into pieces of at most `limit` characters, at paragraph, line or word boundaries."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > limit // 3:
                break
        if cut <= limit // 3:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


# -- pieces --------------------------------------------------------------------------------------
def citation_label(c: Citation) -> str:
    """'Title – Article 12, s. 4' (plain text)."""
    return c.label()


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) and holds no Slack markup or whitespace, else None."""
    if url and _SAFE_URL.fullmatch(url.strip()) and not any(ord(ch) < 32 for ch in url):
        return url.strip()
    return None


def citation_mrkdwn(c: Citation) -> str:
    label = _link_label(citation_label(c))
    url = safe_url(c.url)
    if url:
        return f"<{escape(url)}|{label}>"
    return label


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:CONTEXT_LIMIT]}]}


def warning_emoji(warning: str) -> str:
    return WARNING_EMOJI.get(kind_of(warning) or "", ":information_source:")


def _numbered(citations: list[Citation], heading: str) -> list[str]:
    lines = [f"*{heading}*"]
    lines += [f"{c.n or i}. {citation_mrkdwn(c)}" for i, c in enumerate(citations, 1)]
    return split_text("\n".join(lines))


def feedback_block(question_id: str) -> Block:
    return {
        "type": "actions",
        "block_id": "feedback",
        "elements": [
            {
                "type": "button",
                "action_id": action_id,
                "text": {"type": "plain_text", "text": label, "emoji": True},
                "value": question_id,
            }
            for action_id, (label, _) in FEEDBACK_ACTIONS.items()
        ],
    }


# -- messages ------------------------------------------------------------------------------------
def answer_blocks(answer: Answer, question_id: str) -> list[Block]:
    """The full answer message: text, sources, warnings and feedback buttons (≤ 50 blocks)."""
    lang = answer.language
    tail: list[Block] = []
    if answer.abstained and answer.related:
        tail += [_section(t) for t in _numbered(answer.related, _t(lang, "slack_related"))]
    if answer.citations:
        tail.append({"type": "divider"})
        tail += [_section(t) for t in _numbered(answer.citations, _t(lang, "sources"))]
    tail += [_context(f"{warning_emoji(w)} {escape(w)}") for w in answer.warnings]
    if question_id:
        tail.append(feedback_block(question_id))
    tail = tail[: MAX_BLOCKS - 1]

    body = split_text(to_mrkdwn(answer.text or "")) or [_t(lang, "slack_no_answer")]
    room = MAX_BLOCKS - len(tail)
    if len(body) > room:
        cut = _t(lang, "slack_truncated")
        body = body[:room]
        body[-1] = body[-1][: SECTION_LIMIT - len(cut) - 1] + "\n" + cut
    return [_section(t) for t in body] + tail


def fallback_text(answer: Answer) -> str:
    """Plain text for notifications and clients without Block Kit (≤ 40,000 characters).

    Slack reads `text` as markup too, so every part is escaped: a document or a model reply
    holding `<!channel>` or `<@U…>` cannot notify anyone, nor disguise a link."""
    lang = answer.language
    parts = [answer.text or ""]
    if answer.abstained and answer.related:
        parts.append(
            _t(lang, "slack_related")
            + "\n"
            + "\n".join(
                f"[{c.n or i}] {citation_label(c)}" for i, c in enumerate(answer.related, 1)
            )
        )
    if answer.citations:
        parts.append(
            _t(lang, "sources")
            + ":\n"
            + "\n".join(
                f"[{c.n or i}] {citation_label(c)}"
                + (f" ({safe_url(c.url)})" if safe_url(c.url) else "")
                for i, c in enumerate(answer.citations, 1)
            )
        )
    parts += [_t(lang, "slack_note", warning=w) for w in answer.warnings]
    text = escape("\n\n".join(p for p in parts if p))
    if len(text) > TEXT_LIMIT:
        cut = _t(lang, "slack_truncated")
        text = text[: TEXT_LIMIT - len(cut) - 1] + "\n" + cut
    return text


def placeholder_blocks() -> list[Block]:
    return [_context(f":hourglass_flowing_sand: {SEARCHING}")]


def streaming_blocks(partial: str) -> list[Block]:
    """An answer still being written: the text so far and a note that more is coming."""
    body = split_text(to_mrkdwn(partial))[: MAX_BLOCKS - 1] or [SEARCHING]
    return [_section(t) for t in body] + [
        _context(f":hourglass_flowing_sand: {_t('sv', 'slack_writing')}")
    ]


def error_text(error_id: str) -> str:
    return _t("sv", "slack_error", error_id=error_id)


def error_blocks(error_id: str) -> list[Block]:
    return [_section(":x: " + _t("sv", "slack_error", error_id=f"`{escape(error_id)}`"))]


def notice_blocks(text: str, emoji: str = ":information_source:") -> list[Block]:
    """A short message to the asker (rate limit, rejected question, not enabled here)."""
    return [_section(f"{emoji} {escape(text)}"[:SECTION_LIMIT])]


def thanks_text(vote: str) -> str:
    return _t("sv", "slack_thanks_useful" if vote == "useful" else "slack_thanks_wrong")

"""Staff feedback from Slack as suite entries for a reviewer to complete.

`render_feedback_suite` writes the YAML that `assistant feedback export` prints; once a reviewer
fills in `expected` (or sets `abstain: true`), it loads as a suite like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from .suite import QUESTION_FIELDS

FEEDBACK_HEADER = """\
# Suite entries exported from Slack feedback by `assistant feedback export`.
# Review every entry before adding it to a suite: fill in `expected` (doc id and section) or
# set `abstain: true`, add `answer_terms`, and remove anything that could identify a person.
"""


def render_feedback_suite(entries: Sequence[Any]) -> str:
    """YAML suite text (header comment + `name: feedback-review`) for exported entries."""
    questions = []
    for e in entries:
        d = dict(e) if isinstance(e, Mapping) else dict(vars(e))
        d.setdefault("expected", [])
        ordered = {key: d.pop(key) for key in QUESTION_FIELDS if key in d}
        ordered.update(d)
        questions.append(ordered)
    body = yaml.safe_dump(
        {"name": "feedback-review", "questions": questions},
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return FEEDBACK_HEADER + body

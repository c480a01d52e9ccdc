"""Eval suites: the YAML schema (pydantic), loading, and problems named by file, line and id.

The schema models check types, required and unknown keys; this module turns their errors into
messages that point at the YAML line, and adds the checks that span fields (an abstain question
lists no sources, an answerable one lists at least one, ids are unique). The runner works on the
plain dataclasses `Suite`, `Question` and `Expected`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..errors import SuiteError

# -- what the runner works on --------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    doc: str
    section: str | None = None


@dataclass
class Question:
    id: str
    question: str
    lang: str
    expected: list[Expected]
    answer_terms: list[str]
    abstain: bool
    evidence: str
    suite: str


@dataclass
class Suite:
    name: str
    path: Path
    questions: list[Question]


# -- the file schema -----------------------------------------------------------------------------


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


NonBlank = Annotated[str, AfterValidator(_not_blank)]


class ExpectedEntry(BaseModel):
    """One expected source: a document id and, optionally, a section label."""

    model_config = ConfigDict(extra="forbid", strict=True)

    doc: Annotated[str, Field(min_length=1)]
    section: str | None = None


class QuestionEntry(BaseModel):
    """One question of a suite file, as written."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: NonBlank
    question: NonBlank
    lang: NonBlank
    expected: list[ExpectedEntry] | None = None
    answer_terms: list[NonBlank] | None = None
    abstain: bool
    evidence: str | None = None
    note: str | None = None  # free text for reviewers (feedback export)


class SuiteFile(BaseModel):
    """The top level of a suite file; each question is checked on its own (QuestionEntry)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: NonBlank = ""  # missing: the file name without its extension
    description: str | None = None
    questions: list[Any]


QUESTION_FIELDS: tuple[str, ...] = tuple(QuestionEntry.model_fields)
_REQUIRED = tuple(k for k, f in QuestionEntry.model_fields.items() if f.is_required())


# -- loading -------------------------------------------------------------------------------------


def load_suite(path: str | Path) -> Suite:
    """Read and validate one suite file; SuiteError lists every problem with its line and id."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError(f"{path}: suite file not found; check the path") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SuiteError(f"{path}: cannot read suite file ({e})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e)
        raise SuiteError(f"{path}{where}: not valid YAML ({problem})") from None

    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise SuiteError(
            f"{path}: a suite is a mapping with `name` and `questions: [...]` "
            "(see realdocs-questions.yaml)"
        )
    problems: list[str] = []
    name = path.stem
    try:
        top = SuiteFile.model_validate(data)
        name = top.name or path.stem
    except ValidationError as e:
        unknown, by_key = _schema_errors(e)
        if "questions" in by_key:
            raise SuiteError(f"{path}: `questions` must be a list of question entries") from None
        if "name" in by_key:
            problems.append(f"line {_key_line(root, 'name')}: `name` must be a non-empty string")
        if "description" in by_key:
            problems.append(f"line {_key_line(root, 'description')}: `description` must be text")
        for key in unknown:
            problems.append(
                f"line {_key_line(root, key)}: unknown top-level field `{key}`; "
                f"known fields: {', '.join(SuiteFile.model_fields)}"
            )
        if isinstance(data.get("name"), str) and data["name"].strip():
            name = data["name"]
    q_node = _value_node(root, "questions")
    raw = data["questions"]
    if not isinstance(q_node, yaml.SequenceNode):
        raise SuiteError(f"{path}: `questions` must be a list of question entries")

    questions: list[Question] = []
    first_seen: dict[str, int] = {}
    for node, item in zip(q_node.value, raw, strict=True):
        line = node.start_mark.line + 1
        q, item_problems = _check_question(node, item, name)
        qid = item.get("id") if isinstance(item, dict) else None
        label = f"line {line}" + (f" (id {qid})" if isinstance(qid, str) else "")
        problems.extend(f"{label}: {p}" for p in item_problems)
        if isinstance(qid, str):
            if qid in first_seen:
                problems.append(f"{label}: duplicate id (first used at line {first_seen[qid]})")
            else:
                first_seen[qid] = line
        if q is not None:
            questions.append(q)
    if problems:
        raise SuiteError(
            f"{path}: {len(problems)} problem(s) in suite {name!r}; fix them and run again:\n  "
            + "\n  ".join(problems)
        )
    return Suite(name=name, path=path, questions=questions)


def load_suites(paths: Iterable[str | Path]) -> list[Suite]:
    """Load several suites; the problems of all files are reported together."""
    suites: list[Suite] = []
    errors: list[str] = []
    for p in paths:
        try:
            suites.append(load_suite(p))
        except SuiteError as e:
            errors.append(str(e))
    names = [s.name for s in suites]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        errors.append(f"suite names used twice: {', '.join(dupes)}; give each suite its own `name`")
    if errors:
        raise SuiteError("\n".join(errors))
    return suites


# -- YAML lines ----------------------------------------------------------------------------------


def _value_node(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            node: yaml.Node = v
            return node
    return None


def _key_line(mapping: yaml.MappingNode, key: str) -> int:
    for k, _ in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return int(k.start_mark.line) + 1
    return int(mapping.start_mark.line) + 1


# -- one question --------------------------------------------------------------------------------


# A schema error below a top-level key: (pydantic error type, the rest of its location).
_Error = tuple[str, tuple[int | str, ...]]


def _schema_errors(exc: ValidationError) -> tuple[list[str], dict[str, list[_Error]]]:
    """Unknown top-level keys, and the other errors grouped by the top-level key they concern."""
    unknown: list[str] = []
    by_key: dict[str, list[_Error]] = {}
    for err in exc.errors():
        loc = err["loc"]
        if err["type"] == "extra_forbidden" and len(loc) == 1:
            unknown.append(str(loc[0]))
        elif loc:
            by_key.setdefault(str(loc[0]), []).append((err["type"], loc[1:]))
    return unknown, by_key


def _at(node: yaml.MappingNode, key: str) -> str:
    """A field as messages name it: `key` (line n)."""
    return f"`{key}` (line {_key_line(node, key)})"


def _check_question(node: yaml.Node, item: Any, suite: str) -> tuple[Question | None, list[str]]:
    if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
        return None, ["a question must be a mapping with id, question, lang, expected, abstain"]
    entry: QuestionEntry | None = None
    unknown: list[str] = []
    by_key: dict[str, list[_Error]] = {}
    try:
        entry = QuestionEntry.model_validate(item)
    except ValidationError as e:
        unknown, by_key = _schema_errors(e)
    problems = _field_problems(node, item, unknown, by_key)
    expected = _valid_expected(item, by_key.get("expected", []))
    abstain = item.get("abstain")
    if abstain is True and expected:
        problems.append(
            f"abstain: true but {_at(node, 'expected')} lists {len(expected)} source(s); "
            "a question to abstain on has no expected sources"
        )
    if abstain is False and not expected and not any("expected" in p for p in problems):
        problems.append(
            "abstain: false but no `expected` sources; add at least one "
            "{doc, section} or set abstain: true"
        )
    if problems or entry is None:
        return None, problems
    return (
        Question(
            id=entry.id,
            question=entry.question,
            lang=entry.lang.strip().lower(),
            expected=expected,
            answer_terms=list(entry.answer_terms or []),
            abstain=entry.abstain,
            evidence=entry.evidence or "",
            suite=suite,
        ),
        [],
    )


def _field_problems(
    node: yaml.MappingNode,
    item: Mapping[Any, Any],
    unknown: Sequence[str],
    by_key: Mapping[str, list[_Error]],
) -> list[str]:
    """One message per schema problem, in the order of the fields, each with its YAML line."""

    def at(key: str) -> str:
        return _at(node, key)

    problems = [f"missing field `{k}`" for k in _REQUIRED if k in by_key and k not in item]
    problems += [
        f"unknown field {at(k)}; known fields: {', '.join(QUESTION_FIELDS)}" for k in unknown
    ]
    for key in ("id", "question", "lang"):
        if key in by_key and key in item:
            problems.append(f"{at(key)} must be a non-empty string, got {item[key]!r}")
    if "abstain" in by_key and "abstain" in item:
        problems.append(f"{at('abstain')} must be true or false, got {item['abstain']!r}")
    for key in ("evidence", "note"):
        if key in by_key:
            problems.append(f"{at(key)} must be a string")
    if "answer_terms" in by_key:
        problems.append(f"{at('answer_terms')} must be a list of non-empty strings")
    problems += _expected_problems(at("expected"), item.get("expected"), by_key.get("expected", []))
    return problems


def _expected_problems(where: str, raw: Any, errors: Sequence[_Error]) -> list[str]:
    """Messages for `expected`: not a list, or per entry (no doc, unknown keys, bad section)."""
    if errors and not isinstance(raw, list):
        return [f"{where} must be a list of {{doc, section}} entries"]
    problems: list[str] = []
    for i, entry in enumerate(raw or []):
        # key inside the entry (None: the entry itself) -> error type
        fields: dict[int | str | None, str] = {
            rest[1] if len(rest) > 1 else None: kind for kind, rest in errors if rest[:1] == (i,)
        }
        if not fields:
            continue
        if not isinstance(entry, dict) or None in fields or "doc" in fields:
            problems.append(f"{where} entry {i + 1} needs `doc: <document id>`")
            continue
        extra = [k for k, kind in fields.items() if kind == "extra_forbidden" and k is not None]
        if extra:
            problems.append(f"{where} entry {i + 1} has unknown keys {sorted(extra)}")
        if "section" in fields:
            problems.append(
                f"{where} entry {i + 1}: section must be a quoted label such as "
                f'"Article 12" or "5 §", got {entry["section"]!r}'
            )
    return problems


def _valid_expected(item: Mapping[Any, Any], errors: Sequence[_Error]) -> list[Expected]:
    """The expected entries that have a usable doc and section (unknown keys aside)."""
    raw = item.get("expected")
    if not isinstance(raw, list):
        return []
    bad = {rest[0] for kind, rest in errors if rest and kind != "extra_forbidden"}
    return [
        Expected(doc=e["doc"], section=e.get("section") or None)
        for i, e in enumerate(raw)
        if i not in bad
    ]

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import yaml

from assistant.audit import AuditError, AuditStore, sources_of
from assistant.documents import Citation


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server in a temporary folder on a free loopback port."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        pytest.skip("PostgreSQL binaries absent: run scripts/install-system-deps.sh")
    bindir = bins[-1]
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run initdb as")
        runuser = shutil.which("runuser")
        if not runuser:
            pytest.skip("running as root without runuser")
        as_user = [runuser, "-u", "postgres", "--"]
    base = tempfile.mkdtemp(prefix="audit-pg-")
    data = os.path.join(base, "data")
    if as_user:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(
        [*as_user, f"{bindir}/initdb", "-D", data, "-U", "audit", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
        env=env,
    )
    log = os.path.join(base, "log")
    subprocess.run(
        [
            *as_user,
            f"{bindir}/pg_ctl",
            "-D",
            data,
            "-l",
            log,
            "-w",
            "-t",
            "30",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {base}",
            "start",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    try:
        subprocess.run(
            [f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "audit", "auditdb"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://audit@127.0.0.1:{port}/auditdb"
    finally:
        subprocess.run(
            [*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "stop"],
            capture_output=True,
            env=env,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.slow, pytest.mark.integration])])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sub' / 'assistant.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    s = AuditStore(url)
    yield s
    if request.param == "postgresql":
        from assistant.audit import metadata

        metadata.drop_all(s.engine)
    s.close()


CITES = [
    Citation(
        1,
        "32021R1149_ISF",
        "ISF Regulation",
        "Article 12",
        None,
        "https://eur-lex.europa.eu/x",
        "q",
    ),
    Citation(2, "nationell-strategi", "Nationell strategi", "3.2", 4, None, "q2"),
]


def test_record_question_and_feedback(store):
    qid = store.record_question(
        question_redacted="Hur stor är medfinansieringen? [personnummer]",
        answer_text="Högst 75 %.",
        sources=sources_of(CITES),
        team="T1",
        channel="C1",
        user="U123",
        mode="extractive",
        abstained=False,
        latency_ms=12.7,
    )
    q = store.question(qid)
    assert q["question_redacted"].endswith("[personnummer]")
    assert q["sources"][0]["section"] == "Article 12"
    assert q["latency_ms"] == 12
    assert q["user_hash"] != "U123" and len(q["user_hash"]) == 64
    assert q["user_hash"] == store.user_hash("U123")

    store.record_feedback(qid, "wrong_source", "U999")
    store.record_feedback(qid, "useful", "U998")
    bad = store.feedback()
    assert [f["vote"] for f in bad] == ["wrong_source"]
    assert bad[0]["answer_text"] == "Högst 75 %."
    assert bad[0]["sources"][1]["doc_id"] == "nationell-strategi"
    assert len(store.feedback(votes=("useful", "wrong", "wrong_source"))) == 2


def test_raw_personal_data_is_never_stored(store):
    qid = store.record_question(question_redacted="pnr 811218-9876 ring 070-123 45 67", user="U1")
    q = store.question(qid)
    assert "811218" not in q["question_redacted"]
    assert "070-123" not in q["question_redacted"]


def test_export_suite_entries(store):
    q1 = store.record_question(
        question_redacted="Vad gäller för ISF?", answer_text="a", sources=sources_of(CITES[:1])
    )
    q2 = store.record_question(question_redacted="Vad är NCC?", answer_text="b", sources=[])
    store.record_feedback(q1, "wrong", "U1")
    store.record_feedback(q1, "wrong", "U2")  # same question and vote: one entry
    store.record_feedback(q2, "useful", "U1")
    entries = store.export_suite_entries()
    assert len(entries) == 1
    e = entries[0]
    assert e["id"].startswith("feedback-")
    assert e["question"] == "Vad gäller för ISF?"
    assert e["expected"] == [] and e["answer_terms"] == [] and e["abstain"] is False
    assert e["evidence"] == "" and e["lang"] == "sv"
    assert "wrong" in e["note"] and "32021R1149_ISF Article 12" in e["note"]
    both = store.export_suite_entries(include_useful=True)
    assert len(both) == 2 and "inga" in both[1]["note"]
    # round-trips as a suite file
    doc = yaml.safe_load(
        yaml.safe_dump({"name": "feedback", "questions": both}, allow_unicode=True)
    )
    assert doc["questions"][0]["question"] == "Vad gäller för ISF?"


def test_feedback_validation(store):
    qid = store.record_question(question_redacted="x")
    with pytest.raises(ValueError):
        store.record_feedback(qid, "meh", "U1")
    with pytest.raises(AuditError):
        store.record_feedback("999999", "wrong", "U1")
    with pytest.raises(AuditError):
        store.record_feedback("not-a-number", "wrong", "U1")


def test_salt_is_stable_across_instances(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    a = AuditStore(url)
    b = AuditStore(url)
    assert a.user_hash("U1") == b.user_hash("U1")
    assert AuditStore(f"sqlite:///{tmp_path / 'b.sqlite3'}").user_hash("U1") != a.user_hash("U1")
    assert a.user_hash(None) is None


def test_bad_url_names_the_setting(tmp_path):
    with pytest.raises(AuditError, match="ASSISTANT_DATABASE_URL"):
        AuditStore("nosuchdb://x")


@pytest.mark.slow
@pytest.mark.integration
def test_postgres_concurrent_writes(postgres_url):
    from concurrent.futures import ThreadPoolExecutor

    s = AuditStore(postgres_url)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as ex:
        ids = list(ex.map(lambda i: s.record_question(question_redacted=f"q{i}"), range(40)))
    assert len(set(ids)) == 40
    assert time.perf_counter() - t0 < 30
    from assistant.audit import metadata

    metadata.drop_all(s.engine)
    s.close()


def test_exported_entries_get_the_language_of_their_question(store):
    """The suite entry's `lang` is the question's language by the rule every question gets."""
    for text in ("Vad gäller för ISF?", "What is the co-financing rate?", "ISF och BMVI",
                 "Medfinansiering?"):
        store.record_feedback(store.record_question(question_redacted=text), "wrong", "U1")
    langs = {e["question"]: e["lang"] for e in store.export_suite_entries()}
    assert langs == {
        "Vad gäller för ISF?": "sv",
        "What is the co-financing rate?": "en",
        "ISF och BMVI": "sv",
        "Medfinansiering?": "sv",
    }


def test_event_ids_are_claimed_once_across_replicas(store):
    from concurrent.futures import ThreadPoolExecutor

    other = AuditStore(store.engine.url.render_as_string(hide_password=False))
    try:
        stores = [store, other] * 8
        with ThreadPoolExecutor(16) as ex:
            won = list(ex.map(lambda s: s.claim_event("Ev0001"), stores))
        assert won.count(True) == 1
        assert other.claim_event("Ev0002") and not store.claim_event("Ev0002")
    finally:
        other.close()


def test_delivered_is_set_only_when_marked(store):
    qid = store.record_question(question_redacted="q", delivered=False)
    assert store.question(qid)["delivered"] is False
    store.mark_delivered(qid, True)
    assert store.question(qid)["delivered"] is True
    qid2 = store.record_question(question_redacted="q2", delivered=False)
    store.mark_delivered(qid2, False, "undelivered")
    row = store.question(qid2)
    assert row["delivered"] is False and row["error_id"] == "undelivered"


def test_a_database_from_before_the_delivered_column_is_migrated(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE questions (id INTEGER PRIMARY KEY AUTOINCREMENT, ts DATETIME NOT NULL, "
        "team VARCHAR(64), channel VARCHAR(64), user_hash VARCHAR(64), "
        "question_redacted TEXT NOT NULL, answer_text TEXT, sources JSON, mode VARCHAR(32), "
        "abstained BOOLEAN, latency_ms INTEGER, error_id VARCHAR(32))"
    )
    con.execute(
        "INSERT INTO questions (ts, question_redacted) VALUES ('2026-01-01 00:00:00', 'gammal')"
    )
    con.commit()
    con.close()
    s = AuditStore(f"sqlite:///{path}")
    try:
        assert s.questions()[0]["question_redacted"] == "gammal"
        qid = s.record_question(question_redacted="ny", delivered=False)
        s.mark_delivered(qid, True)
        assert s.question(qid)["delivered"] is True
    finally:
        s.close()

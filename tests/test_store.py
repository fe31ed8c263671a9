"""Store and migrations on real SQLite and PostgreSQL."""
from sqlalchemy import inspect

from factcheck import db
from factcheck.passages import split_passages
from factcheck.records import Claim, Document, Evidence, Label, Stance, Verdict
from factcheck.store import Store

TABLES = {"runs", "sources", "passages", "articles", "claims", "verdicts", "evidence"}


def test_migrations_upgrade_and_downgrade(db_url):
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert TABLES <= set(inspect(engine).get_table_names())
    db.downgrade(engine, "base")
    assert db.current_revision(engine) is None
    assert not TABLES & set(inspect(engine).get_table_names())
    db.upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()


def source(doc_id="s1", text="Microsoft invested $13 billion in OpenAI. It did so over years. A third line."):
    return Document(doc_id, "Title", text)


def test_sources_are_deduplicated_and_updates_replace_passages(db_url):
    store = Store(db_url)
    doc = source()
    first = store.upsert_source(doc, split_passages(doc, 2, 1))
    assert first.status == "added"
    assert store.upsert_source(doc, split_passages(doc, 2, 1)).status == "unchanged"
    copy = Document("s2", doc.title, doc.text)
    dup = store.upsert_source(copy, split_passages(copy, 2, 1))
    assert dup.status == "duplicate" and dup.duplicate_of == "s1"
    old_ids = store.passage_ids()
    changed = source(text="Microsoft invested $14 billion in OpenAI.")
    update = store.upsert_source(changed, split_passages(changed))
    assert update.status == "updated" and set(update.removed_passage_ids) == old_ids
    new_ids = store.passage_ids()
    assert len(new_ids) == 1 and not new_ids & old_ids  # ids are never reused
    assert store.counts()["sources"] == 1
    assert set(store.delete_source("s1")) == new_ids and store.passage_ids() == set()
    store.close()


def test_claims_upsert_and_verdict_history(db_url):
    store = Store(db_url)
    doc = source()
    store.upsert_source(doc, split_passages(doc))
    [pid] = store.passage_ids()
    article_id, status = store.upsert_article(Document("a1", "A", "Microsoft invested $13 billion in OpenAI."))
    assert status == "added"
    assert store.upsert_article(Document("a1", "A", "Microsoft invested $13 billion in OpenAI."))[1] == "unchanged"
    claim = Claim("Microsoft invested $13 billion in OpenAI.", 0, 41, "a1")
    ids = store.upsert_claims(article_id, [claim], "sentences")
    assert store.upsert_claims(article_id, [claim], "sentences") == ids  # re-run: same row
    run = store.start_run("check_articles", {"inputs": ["x"]})
    evidence = (Evidence(pid, "s1", "text", 0.9, Stance.SUPPORTS),)
    supported = Verdict(Label.SUPPORTED, 0.9, evidence)
    assert store.save_verdicts(run, [(ids[0], supported)], "baseline", "1", "m") == 1
    assert store.save_verdicts(run, [(ids[0], supported)], "baseline", "1", "m") == 0  # same outcome: no new row
    jitter = Verdict(Label.SUPPORTED, 0.9016, evidence)   # batch-to-batch noise of a cross-encoder
    assert store.save_verdicts(run, [(ids[0], jitter)], "baseline", "1", "m") == 0
    assert store.save_verdicts(run, [(ids[0], Verdict(Label.SUPPORTED, 0.8, evidence))], "baseline", "1", "m") == 1
    refuted = Verdict(Label.REFUTED, 0.7, (Evidence(pid, "s1", "text", 0.7, Stance.REFUTES),))
    assert store.save_verdicts(run, [(ids[0], refuted)], "baseline", "1", "m") == 1  # changed: history kept
    store.finish_run(run, "completed", {"claims": 1})
    rows = store.recent_verdicts(10)
    assert [r["label"] for r in rows] == ["REFUTED", "SUPPORTED", "SUPPORTED"]
    assert rows[0]["article_id"] == "a1" and rows[0]["evidence"][0]["source_id"] == "s1"
    assert store.counts()["verdicts"] == 3
    store.close()


def test_a_long_verifier_version_is_stored_whole_and_migrations_keep_stored_verdicts(db_url):
    """Migration 0004 widens verdicts.verifier_version to 300 characters around the views that read it."""
    from sqlalchemy import text

    store = Store(db_url)
    doc = source()
    store.upsert_source(doc, split_passages(doc))
    [pid] = store.passage_ids()
    article_id, _ = store.upsert_article(Document("a1", "A", "Microsoft invested $13 billion in OpenAI."))
    [claim_id] = store.upsert_claims(article_id, [Claim("Microsoft invested $13 billion in OpenAI.", 0, 41, "a1")],
                                     "sentences")
    evidence = (Evidence(pid, "s1", "text", 0.9, Stance.SUPPORTS),)
    store.save_verdicts(None, [(claim_id, Verdict(Label.SUPPORTED, 0.9, evidence))], "ce", "v" * 100, "m")
    store.close()
    engine = db.make_engine(db_url)
    db.downgrade(engine, "0003")          # back to 100 characters: the stored version fits
    engine.dispose()
    store = Store(db_url)                 # upgrades to the head again
    long = "bb7e7ed56a20-seed13-T1.33-sp1-th0.5-cues14-" + "x" * 200
    store.save_verdicts(None, [(claim_id, Verdict(Label.REFUTED, 0.7, evidence))], "ce", long, "m")
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT verifier_version FROM verdicts ORDER BY id")).scalars().all()
        latest = connection.execute(text("SELECT verifier_version FROM latest_verdicts")).scalars().all()
    assert stored == ["v" * 100, long] and latest == [long]
    store.close()


def test_schema_is_created_automatically_on_first_use(db_url):
    store = Store(db_url)
    assert db.current_revision(store.engine) == db.head_revision()
    store.close()


def test_migrations_match_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from factcheck.schema import Base

    engine = db.make_engine(db_url)
    db.upgrade(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()

"""The `factcheck` command line: the only place that prints, exits or turns errors into messages."""
from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path

import click

from factcheck.errors import FactcheckError, InputError
from factcheck.settings import Settings


def _settings(ctx: click.Context) -> Settings:
    overrides = {k: v for k, v in ctx.find_root().params.items() if v is not None and k != "verbose"}
    try:
        return Settings(**overrides)
    except ValueError as error:
        problems = getattr(error, "errors", None)
        if callable(problems) and problems():   # pydantic: name the setting and what is wrong with it
            first = problems()[0]
            name = "FACTCHECK_" + "_".join(str(part) for part in first["loc"]).upper()
            raise click.ClickException(f"invalid setting {name}: {first['msg']}") from None
        raise click.ClickException(f"invalid setting: {error}".splitlines()[0]) from None


def _workspace(ctx: click.Context):
    from factcheck.pipeline import workspace

    return workspace(_settings(ctx))


def _report_problems(problems) -> None:
    for problem in problems:
        click.echo(f"skipped {problem}", err=True)


class _Group(click.Group):
    """Turns factcheck errors into one-line messages: 'ClassName: message'."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except FactcheckError as error:
            raise click.ClickException(f"{error.__class__.__name__}: {error}") from None


@click.group(cls=_Group)
@click.option("--home", type=click.Path(path_type=Path), help="Data directory (FACTCHECK_HOME).")
@click.option("--database-url", help="SQLAlchemy database URL (FACTCHECK_DATABASE_URL).")
@click.option("--embedding-model", help="Embedding model: packaged name, path or hub name.")
@click.option("--verifier", help="'baseline', 'packaged:factcheck-verifier', 'llm', or a CrossEncoder path.")
@click.option("--claim-extractor", help="'sentences', 'atomic' or 'llm'.")
@click.option("--top-k", type=int, help="Passages retrieved per claim.")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(home, database_url, embedding_model, verifier, claim_extractor, top_k, verbose):
    """Fact-check tech-news articles against sources you trust."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


# -- db ---------------------------------------------------------------------------------------
@cli.group()
def db():
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.pass_context
def db_upgrade(ctx, revision):
    """Create or migrate the database schema."""
    from factcheck import db as dbmod

    settings = _settings(ctx)
    engine = dbmod.make_engine(settings.db_url)
    dbmod.upgrade(engine, revision)
    click.echo(f"database at revision {dbmod.current_revision(engine)}: {engine.url.render_as_string()}")


@db.command("downgrade")
@click.argument("revision")
@click.pass_context
def db_downgrade(ctx, revision):
    """Migrate the schema down to REVISION ('base' drops all tables)."""
    from factcheck import db as dbmod

    engine = dbmod.make_engine(_settings(ctx).db_url)
    dbmod.downgrade(engine, revision)
    click.echo(f"database at revision {dbmod.current_revision(engine)}")


@db.command("current")
@click.pass_context
def db_current(ctx):
    """Print the database's schema revision."""
    from factcheck import db as dbmod

    engine = dbmod.make_engine(_settings(ctx).db_url)
    click.echo(f"{dbmod.current_revision(engine)} (head {dbmod.head_revision()})")


# -- sources and index ------------------------------------------------------------------------
@cli.group()
def sources():
    """Sources you trust: add, remove."""


@sources.command("add")
@click.argument("paths", nargs=-1, required=True)
@click.pass_context
def sources_add(ctx, paths):
    """Add source files, folders, JSONL files or URLs and index their passages."""
    from factcheck.pipeline import index_sources

    settings = _settings(ctx)
    report = index_sources(settings, paths, progress=_progress("embedding passages"))
    _report_problems(report.problems)
    counts = report.counts()
    click.echo(", ".join(f"{v} {k}" for k, v in counts.items()))
    if report.problems:
        ctx.exit(1)


@sources.command("remove")
@click.argument("source_ids", nargs=-1, required=True)
@click.pass_context
def sources_remove(ctx, source_ids):
    """Remove sources by id (their JSONL id, path or URL) from the database and the index."""
    from factcheck.pipeline import sync_index

    ws = _workspace(ctx)
    missing = []
    for source_id in source_ids:
        if not ws.store.delete_source(source_id):
            missing.append(source_id)
    sync_index(ws)
    for source_id in missing:
        click.echo(f"skipped {source_id}: no such source", err=True)
    click.echo(f"removed {len(source_ids) - len(missing)} sources")
    if missing:
        ctx.exit(1)


@cli.group()
def index():
    """The vector and lexical indexes."""


@index.command("status")
@click.pass_context
def index_status(ctx):
    """Counts, model, dimension, size on disk, and whether index and database agree."""
    from factcheck.index import VectorIndex

    ws = _workspace(ctx)
    meta = VectorIndex.read_meta(ws.settings.index_dir)
    stored = ws.store.passage_ids()
    if meta is None:
        click.echo(f"no index yet at {ws.settings.index_dir}; {len(stored)} passages stored")
        return
    indexed = set(ws.vectors.ids().tolist())
    click.echo(f"index:      {ws.settings.index_dir}")
    params = ", ".join(f"{k}={v}" for k, v in meta.get("params", {}).items())
    click.echo(f"model:      {meta['model']} (dim {meta['dim']})")
    click.echo(f"kind:       {meta.get('kind', 'flat')}{f' ({params})' if params else ''}")
    click.echo(f"vectors:    {len(indexed)}   passages in database: {len(stored)}")
    click.echo(f"size:       {ws.vectors.size_on_disk() / 1e6:.1f} MB")
    missing, stale = len(stored - indexed), len(indexed - stored)
    if missing or stale:
        click.echo(f"MISMATCH: {missing} passages not indexed, {stale} vectors without a passage; "
                   "run 'factcheck index sync' to resume, or 'factcheck index rebuild'")
        ctx.exit(1)
    click.echo("consistent: yes")


@index.command("sync")
@click.pass_context
def index_sync(ctx):
    """Embed stored passages missing from the index and drop stale vectors (resumes an interrupted run)."""
    from factcheck.pipeline import sync_index

    ws = _workspace(ctx)
    embedded, removed = sync_index(ws, progress=_progress("embedding passages"))
    click.echo(f"{embedded} embedded, {removed} removed, {len(ws.vectors)} vectors ({ws.vectors.kind})")


@index.command("rebuild")
@click.pass_context
def index_rebuild(ctx):
    """Re-embed every stored passage into a fresh index (e.g. after changing the model)."""
    import shutil

    from factcheck.pipeline import Workspace, sync_index

    settings = _settings(ctx)
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    ws = Workspace(settings)
    embedded, _ = sync_index(ws, progress=_progress("embedding passages"))
    click.echo(f"rebuilt index: {embedded} passages with {ws.embedder.name}")


# -- checking ---------------------------------------------------------------------------------
@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--as-of", "as_of", help="Only use sources published up to this ISO date.")
@click.option("--as-of-published", is_flag=True, help="Only use sources published up to each article's date.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per verdict.")
@click.pass_context
def check(ctx, paths, as_of, as_of_published, as_json):
    """Check articles: extract claims, retrieve evidence, store and print verdicts."""
    from factcheck.pipeline import check_articles, workspace

    settings = _settings(ctx)
    report = check_articles(settings, paths, as_of_published=as_of_published, as_of=_parse_date(as_of))
    _report_problems(report.problems)
    claim_ids = [cid for ids in report.articles.values() for cid in ids]
    _print_verdicts(workspace(settings).store.latest_verdicts(claim_ids), as_json)
    if report.problems:
        ctx.exit(1)


@cli.command("verify-claims")
@click.argument("claims_file", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), help="Output JSONL (default: stdout).")
@click.option("--as-of", "as_of", help="Only use sources published up to this ISO date.")
@click.pass_context
def verify_claims(ctx, claims_file, out, as_of):
    """Verify claims from a JSONL file of {"id", "claim"} lines; write verdicts as JSONL."""
    from factcheck.ingest import Problem
    from factcheck.pipeline import verify_claim_texts

    as_of_date = _parse_date(as_of)
    items, problems = _read_claims(claims_file)
    _report_problems(problems)
    ws = _workspace(ctx)
    run_id = ws.start_run("verify_claims", {"claims_file": str(claims_file), "as_of": as_of})
    handle = out.open("w", encoding="utf-8") if out else sys.stdout
    counts: dict[str, int] = {}
    try:
        batch = ws.settings.verify_batch_size
        with _progress_bar(len(items), "verifying claims", enabled=out is not None) as bar:
            for first in range(0, len(items), batch):
                chunk = items[first:first + batch]
                for (cid, text), verdict in zip(chunk, verify_claim_texts(ws, chunk, as_of_date, run_id)):
                    if verdict is None:
                        problems.append(Problem(f"claim {cid}", "the verifier failed on it (see the log)"))
                        click.echo(f"skipped {problems[-1]}", err=True)
                        continue
                    counts[verdict.label.value] = counts.get(verdict.label.value, 0) + 1
                    handle.write(json.dumps(_verdict_json(cid, text, verdict)) + "\n")
                bar.update(len(chunk))
    finally:
        if out:
            handle.close()
        ws.store.finish_run(run_id, "completed", {"claims": len(items), "labels": counts,
                                                   "problems": [str(p) for p in problems]})
    if out:
        click.echo(f"{len(items)} claims verified -> {out} ({', '.join(f'{v} {k}' for k, v in counts.items())})")
    if problems:
        ctx.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim.")
@click.pass_context
def claims(ctx, paths, as_json):
    """Print the claims extracted from articles with their spans (nothing is stored)."""
    from factcheck.ingest import load_documents
    from factcheck.pipeline import make_extractor

    settings = _settings(ctx)
    loaded = load_documents(paths)
    _report_problems(loaded.problems)
    extractor = make_extractor(settings)
    failed = False
    for doc in loaded.documents:
        try:
            found = extractor.extract(doc)
        except FactcheckError as error:
            click.echo(f"skipped {doc.id}: {error}", err=True)
            failed = True
            continue
        if not as_json:
            click.echo(f"{doc.id}  ({doc.title})")
        for claim in found:
            if as_json:
                click.echo(json.dumps({"article_id": doc.id, "claim": claim.text, "start": claim.start,
                                       "end": claim.end, "checkworthiness": claim.checkworthiness,
                                       "claim_id": claim.key}))
            else:
                click.echo(f"  [{claim.start}:{claim.end}] {claim.text}")
    if loaded.problems or failed:
        ctx.exit(1)


def _training_paths(holds: str, work: bool = True):
    """The --data, --out (and --work) options of the training commands; --work defaults to OUT.work."""
    def default_work(ctx, _param, value):
        return value or ctx.params["out_dir"].with_name(ctx.params["out_dir"].name + ".work")

    def wrap(command):
        if work:
            command = click.option("--work", "work_dir", type=click.Path(path_type=Path), callback=default_work,
                                   help="Workspace for the SciFact corpus index (built on first use, reused "
                                        "after); default OUT.work.")(command)
        command = click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, is_eager=True,
                               help="Where the model is written.")(command)
        return click.option("--data", "data_dir", type=click.Path(path_type=Path), required=True,
                            help=f"Data root holding {holds} (e.g. ../shared/data).")(command)
    return wrap


@cli.command("train-verifier")
@_training_paths("nli/ and scifact/", work=False)
@click.option("--seed", default=13, show_default=True, help="Fixes the data mix, batch order and initialisation.")
@click.option("--epochs", default=1, show_default=True, help="Passes over the training mix.")
@click.option("--time-budget", "time_budget", type=float, help="Wall seconds for the training loop (schedule fits it).")
@click.option("--max-pairs", type=int, help="Train on a stratified subset of this many pairs (pilot runs).")
@click.option("--no-resume", is_flag=True, help="Start over instead of resuming from the last checkpoint.")
@click.option("--include-noncommercial", is_flag=True, help="Also train on ANLI, SICK and ConTRoL (non-commercial).")
@click.option("--unrelated-neutral", "unrelated_neutral", type=click.IntRange(min=0), default=0, show_default=True,
              help="Add this many claim-style neutral pairs (a claim and another claim's evidence); 0 = the shipped mix.")
def train_verifier(data_dir, out_dir, seed, epochs, time_budget, max_pairs, no_resume, include_noncommercial,
                   unrelated_neutral):
    """Train the 3-way cross-encoder verifier from labeled pairs (checkpoints, resume, progress bar)."""
    from factcheck.training import train_verifier as train

    record = train(data_dir, out_dir, seed=seed, epochs=epochs, max_pairs=max_pairs, resume=not no_resume,
                   time_budget_s=time_budget, include_noncommercial=include_noncommercial,
                   unrelated_neutral=unrelated_neutral)
    click.echo(json.dumps({k: v for k, v in record.items() if not isinstance(v, (dict, list))}, indent=2))
    click.echo(f"model written to {out_dir}; use it with FACTCHECK_VERIFIER={out_dir}")


@cli.command("tune-verifier")
@_training_paths("nli/ and scifact/")
@click.option("--from", "init", default="packaged:factcheck-verifier", show_default=True,
              help="The verifier to start from (a train-verifier output folder, or the packaged one).")
@click.option("--seed", default=13, show_default=True, help="Fixes the pair sample, order and dropout.")
@click.option("--epochs", default=1, show_default=True, help="Passes over the tuning pairs.")
@click.option("--depth", default=8, show_default=True, help="Retrieved passages per claim whose sentences are used.")
@click.option("--replay", default=12000, show_default=True, help="Pairs of the first-stage mix trained on again.")
@click.option("--news", default=0, show_default=True,
              help="News-style pairs from FNC-1 article bodies (same-article neutrals, passages holding the claim).")
@click.option("--fever-neutral", default=0, show_default=True, type=click.IntRange(min=0),
              help="Neutral FEVER pairs: a claim against another claim's evidence on the same subject.")
@click.option("--decomposed", default=0, show_default=True, type=click.IntRange(min=0),
              help="Pairs from FNC-1 article bodies cut into atomic claims by the claim extractor: a sentence "
                   "against a claim made from it, another sentence of its article, or the claim with a figure "
                   "or a word of change altered.")
@click.option("--negated", default=0, show_default=True, type=click.IntRange(min=0),
              help="Pairs with SciFact train claims negated at the main verb: against their rationale sentences "
                   "with the label turned, and against neutral sentences, still neutral.")
@click.option("--claim-set", "claim_sets", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="A hand-labelled claim set (claims.jsonl with notes quoting the decisive words, and sources/), "
                   "as bench/data/technews_fresh2; repeat for more. Its claims are paired with the sentences their "
                   "notes quote and with other sentences of their sources.")
@click.option("--claim-set-repeat", default=4, show_default=True, type=click.IntRange(min=1),
              help="Times the claim sets' quoted sentences are trained on.")
@click.option("--scifact-pairs/--no-scifact-pairs", default=True, show_default=True,
              help="Train on the SciFact train claims' retrieved sentences (the second stage); without them, only on "
                   "the claim sets and the replayed first-stage pairs (no SciFact index is built).")
@click.option("--lr", default=2e-5, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Peak learning rate.")
@click.option("--keep-start", default=0.0, show_default=True, type=click.FloatRange(min=0, max=1, max_open=True),
              help="Share of the starting weights in the exported ones: each weight becomes keep * start + "
                   "(1 - keep) * tuned (0: the tuned weights as they are).")
def tune_verifier(data_dir, out_dir, work_dir, init, seed, epochs, depth, replay, news, fever_neutral, decomposed,
                  negated, claim_sets, claim_set_repeat, scifact_pairs, lr, keep_start):
    """Tune a verifier: SciFact train claims against the sentences our own retrieval finds (the second stage), and
    hand-labelled claim sets against the sentences their notes quote (--claim-set; the shipped third stage)."""
    from factcheck.verifier_tuning import tune_verifier as tune

    record = tune(data_dir, out_dir, work_dir, init=init, seed=seed, epochs=epochs, depth=depth, replay=replay,
                  news=news, fever_neutral=fever_neutral, decomposed=decomposed, negated=negated,
                  claim_sets=claim_sets, claim_set_repeat=claim_set_repeat, scifact_pairs=scifact_pairs, lr=lr,
                  keep_start=keep_start, index_progress=_progress("indexing the SciFact corpus"))
    click.echo(json.dumps({k: v for k, v in record.items() if not isinstance(v, (dict, list))}, indent=2))
    click.echo(f"model written to {out_dir}; fit its verdict calibration with bench/calibrate_verdicts.py, "
               f"then use it with FACTCHECK_VERIFIER={out_dir}")


@cli.command("train-reranker")
@_training_paths("scifact/")
@click.option("--seed", default=13, show_default=True, help="Fixes the pair order and the head's initialisation.")
@click.option("--epochs", default=3, show_default=True, help="Passes over the training pairs (3: the shipped model).")
@click.option("--negatives", default=12, show_default=True, help="Hard negatives per claim, from our own ranking.")
@click.option("--negative-depth", default=20, show_default=True,
              help="How deep in our own ranking the hard negatives are taken from.")
@click.option("--init", "init", default="packaged:factcheck-verifier", show_default=True,
              help="Verifier whose encoder the reranker starts from: 'packaged:factcheck-verifier' or a "
                   "verifier folder (docs/reranker.md: which one the shipped weights started from).")
def train_reranker(data_dir, out_dir, work_dir, seed, epochs, negatives, negative_depth, init):
    """Train the relevance reranker on SciFact train, with hard negatives from factcheck's own retrieval."""
    from factcheck.reranker_training import train_reranker as train

    record = train(data_dir, out_dir, work_dir, seed=seed, epochs=epochs, negatives=negatives,
                   negative_depth=negative_depth, init=init, index_progress=_progress("indexing the SciFact corpus"))
    click.echo(json.dumps({k: v for k, v in record.items() if not isinstance(v, (list,))}, indent=2))
    click.echo(f"model written to {out_dir}; use it with FACTCHECK_RERANKER={out_dir}")


@cli.command("train-embedder")
@_training_paths("scifact/ and nli/fever/")
@click.option("--seed", default=13, show_default=True, help="Fixes the example order and the hard negatives.")
@click.option("--epochs", default=1, show_default=True, help="Passes over the training examples (1: the benchmarked run).")
@click.option("--fever", default=4000, show_default=True, help="FEVER claim/evidence pairs mixed in (0: SciFact only).")
def train_embedder(data_dir, out_dir, work_dir, seed, epochs, fever):
    """Fine-tune the dense embedder for claim -> evidence retrieval (SciFact train + FEVER pairs)."""
    from factcheck.embedder_training import train_embedder as train

    record = train(data_dir, out_dir, work_dir, seed=seed, epochs=epochs, fever=fever,
                   index_progress=_progress("indexing the SciFact corpus"))
    click.echo(json.dumps(record, indent=2))
    click.echo(f"model written to {out_dir}; use it with FACTCHECK_EMBEDDING_MODEL={out_dir} "
               "(then 'factcheck index rebuild': an index is tied to its embedder)")


@cli.command()
@click.option("--limit", default=50, show_default=True, help="How many verdicts.")
@click.option("--run", "run_id", type=int, help="Only verdicts written by this run.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per verdict, with evidence.")
@click.pass_context
def verdicts(ctx, limit, run_id, as_json):
    """Recent verdicts as a readable table (or JSON lines)."""
    _print_verdicts(_workspace(ctx).store.recent_verdicts(limit, run_id), as_json)


# -- SQL, exports and reports ----------------------------------------------------------------
@cli.command("schema-doc")
@click.option("--out", type=click.Path(path_type=Path), help="Write here (e.g. docs/schema.md) instead of stdout.")
def schema_doc_command(out):
    """Print the database schema (tables, columns, keys, views' SQL) as Markdown."""
    from factcheck.schemadoc import render_schema_markdown

    text = render_schema_markdown()
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"schema -> {out}")


@cli.command("sql")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Aligned table, CSV with a header, or a JSON array of objects.")
@click.pass_context
def sql_command(ctx, query, fmt):
    """Run one read-only SQL statement (the connection refuses writes); views: latest_verdicts and more."""
    from factcheck.sqlquery import format_result, run_query

    click.echo(format_result(run_query(_settings(ctx).db_url, query), fmt), nl=False)


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "claimreview"]), required=True,
              help="JSON lines, CSV, or a JSON array of schema.org ClaimReview objects.")
@click.option("--out", type=click.Path(path_type=Path), help="Output file (default: stdout).")
@click.option("--run", "run_id", type=int, help="Only the claims this run checked.")
@click.option("--label", help="Only this label: SUPPORTED, REFUTED or NOT_ENOUGH_INFO.")
@click.option("--author", default="factcheck", show_default=True, help="ClaimReview author (an Organization).")
@click.option("--base-url", help="ClaimReview url is <base-url>#claim-<id> (default: the article's url).")
@click.pass_context
def export_command(ctx, fmt, out, run_id, label, author, base_url):
    """Export the latest verdicts (with evidence) as JSONL, CSV or ClaimReview JSON-LD."""
    from factcheck.export import load_verdicts, render
    from factcheck.store import Store

    store = Store(_settings(ctx).db_url)
    try:
        with store.session() as session:
            items = load_verdicts(session, run_id, label)
    finally:
        store.close()
    text = render(items, fmt, author=author, base_url=base_url)
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"{len(items)} verdicts -> {out}")


@cli.command("report")
@click.option("--run", "run_id", type=int, help="Only the claims this run checked (default: every claim).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="HTML file to write.")
@click.option("--title", default="factcheck report", show_default=True, help="Page title.")
@click.pass_context
def report_command(ctx, run_id, out, title):
    """Write a self-contained HTML page: article texts with claims highlighted by verdict, evidence on click."""
    from factcheck.report import build_report
    from factcheck.store import Store

    store = Store(_settings(ctx).db_url)
    try:
        with store.session() as session:
            html, stats = build_report(session, run_id, title)
    finally:
        store.close()
    out.write_text(html, encoding="utf-8")
    click.echo(f"{stats.claims} claims in {stats.articles} articles -> {out}")


@cli.command()
@click.option("--as-of-published", is_flag=True, help="Only use sources published up to each article's date.")
@click.option("--json", "as_json", is_flag=True, help="The run summary as JSON.")
@click.pass_context
def recheck(ctx, as_of_published, as_json):
    """Re-verify claims whose verdict could change after sources changed (NOT_ENOUGH_INFO or new top-k)."""
    from factcheck.recheck import recheck as run_recheck

    report = run_recheck(_settings(ctx), as_of_published=as_of_published)
    summary = {"run_id": report.run_id, **report.summary(), "changed_claims": report.changed}
    if as_json:
        click.echo(json.dumps(summary))
        return
    reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(summary["reasons"].items())) or "none"
    click.echo(f"{report.considered} claims with verdicts, {len(report.affected)} re-verified ({reasons}), "
               f"{len(report.changed)} verdicts changed (run {report.run_id})")


# -- helpers ----------------------------------------------------------------------------------
def _print_verdicts(rows: list[dict], as_json: bool) -> None:
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    if not rows:
        click.echo("no verdicts yet")
        return
    click.echo(f"{'LABEL':<16} {'CONF':>5}  {'ARTICLE':<28} {'CLAIM':<70} EVIDENCE")
    for row in rows:
        evidence = row["evidence"][0]["source_id"] if row["evidence"] else "-"
        article = _clip(Path(row["article_id"]).name if row["article_id"] else "(claims file)", 28)
        click.echo(f"{row['label']:<16} {row['confidence']:>5.2f}  {article:<28} {_clip(row['claim'], 70):<70} "
                   f"{_clip(Path(evidence).name if '/' in evidence else evidence, 40)}")


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _verdict_json(claim_id, text, verdict) -> dict:
    return {"id": claim_id, "claim": text, "label": verdict.label.value, "confidence": round(verdict.confidence, 4),
            "evidence": [{"source_id": e.source_id, "passage_id": e.passage_id, "text": e.text, "score": e.score,
                          "stance": e.stance.value, "quote": e.quote} for e in verdict.evidence]}


def _read_claims(path: Path):
    from factcheck.ingest import Problem

    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    items, problems = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(Problem(f"{path}:{number}", f"invalid JSON ({error.msg})"))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("claim"), str) or not record["claim"].strip():
            problems.append(Problem(f"{path}:{number}", 'expected an object with a non-empty "claim"'))
            continue
        if "id" not in record or isinstance(record["id"], (dict, list)):
            problems.append(Problem(f"{path}:{number}", 'missing "id"'))
            continue
        items.append((record["id"], record["claim"]))
    if not items and not problems:
        raise InputError(f"{path}: no claims in file")
    return items, problems


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO date: {value!r}", param_hint="--as-of") from None


def _progress(label: str):
    """A progress callback drawing a bar on stderr when it is a terminal."""
    state = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            from tqdm import tqdm

            state["bar"] = tqdm(total=total, desc=label, unit="passage", disable=not sys.stderr.isatty())
        state["bar"].n = done
        state["bar"].refresh()
        if done >= total:
            state["bar"].close()

    return update


def _progress_bar(total: int, label: str, enabled: bool = True):
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="claim", disable=not (enabled and sys.stderr.isatty()))


def main() -> None:
    cli(prog_name="factcheck")

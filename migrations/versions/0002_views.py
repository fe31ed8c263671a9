"""views for analysts: latest_verdicts, refuted_by_outlet_week, changed_verdicts, verdict_evidence

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

The views give the same columns and values on SQLite and PostgreSQL. Only refuted_by_outlet_week differs
by dialect, to get the host of a URL and the ISO week ('2026-W48') of a date.
The SQL is frozen here on purpose: a later change to a view belongs in a new migration.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Dropped in reverse order: refuted_by_outlet_week and changed_verdicts read latest_verdicts.
VIEWS = ("latest_verdicts", "refuted_by_outlet_week", "changed_verdicts", "verdict_evidence")


def _refuted_by_outlet_week(dialect: str) -> str:
    """Outlet = lower-cased host of the article URL without port ('local' when none), week = ISO 8601 week."""
    if dialect == "postgresql":
        return """
WITH refuted AS (
    SELECT lv.article_url AS url,
           COALESCE(lv.article_published, CAST((lv.created_at AT TIME ZONE 'UTC') AS DATE)) AS day
    FROM latest_verdicts lv WHERE lv.label = 'REFUTED'),
hosts AS (
    SELECT day, CASE WHEN strpos(url, '://') > 0 THEN substring(url from '://([^/?#:]*)')
                     ELSE substring(url from '^([^/?#:]*)') END AS host
    FROM refuted)
SELECT COALESCE(NULLIF(lower(host), ''), 'local') AS outlet,
       to_char(day, 'IYYY-"W"IW') AS week,
       count(*) AS refuted_claims
FROM hosts
GROUP BY 1, 2"""
    # SQLite has no regex and no ISO week: cut the URL at '://', then at '/', '?', '#' and ':';
    # the Thursday of a day's week decides the ISO year and week number.
    return """
WITH refuted AS (
    SELECT lv.article_url AS url, COALESCE(lv.article_published, date(lv.created_at)) AS day
    FROM latest_verdicts lv WHERE lv.label = 'REFUTED'),
parts AS (
    SELECT date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days', '+3 days') AS thursday,
           replace(replace(CASE WHEN instr(url, '://') > 0 THEN substr(url, instr(url, '://') + 3) ELSE url END,
                           '?', '/'), '#', '/') || '/' AS rest
    FROM refuted),
hosts AS (
    SELECT thursday, substr(rest, 1, instr(rest, '/') - 1) || ':' AS hostport
    FROM parts)
SELECT COALESCE(NULLIF(lower(substr(hostport, 1, instr(hostport, ':') - 1)), ''), 'local') AS outlet,
       strftime('%Y', thursday) || '-W' || printf('%02d', (CAST(strftime('%j', thursday) AS INTEGER) - 1) / 7 + 1) AS week,
       count(*) AS refuted_claims
FROM hosts
GROUP BY 1, 2"""


def view_sql(dialect: str) -> dict[str, str]:
    """The SELECT of each view for a dialect name ('sqlite' or 'postgresql')."""
    return {
        "latest_verdicts": """
SELECT v.id AS verdict_id, c.id AS claim_id, a.external_id AS article_external_id, a.title AS article_title,
       a.url AS article_url, a.published AS article_published, c.external_id AS claim_external_id,
       c.text AS claim_text, c.start_char, c.end_char, v.label, v.confidence, v.verifier,
       v.verifier_version, v.run_id, v.created_at, v.checked_at
FROM verdicts v
JOIN claims c ON c.id = v.claim_id
LEFT JOIN articles a ON a.id = c.article_id
WHERE v.id = (SELECT max(v2.id) FROM verdicts v2 WHERE v2.claim_id = v.claim_id)""",

        "refuted_by_outlet_week": _refuted_by_outlet_week(dialect),

        "changed_verdicts": """
SELECT lv.claim_id, lv.article_external_id, lv.claim_text,
       p.id AS previous_verdict_id, p.label AS previous_label, p.confidence AS previous_confidence,
       p.created_at AS previous_at,
       lv.verdict_id AS current_verdict_id, lv.label AS current_label, lv.confidence AS current_confidence,
       lv.created_at AS changed_at,
       (SELECT count(*) FROM verdicts n WHERE n.claim_id = lv.claim_id) AS verdict_count
FROM latest_verdicts lv
JOIN verdicts p ON p.id = (SELECT max(v2.id) FROM verdicts v2
                           WHERE v2.claim_id = lv.claim_id AND v2.id < lv.verdict_id)""",

        "verdict_evidence": """
SELECT v.id AS verdict_id, v.claim_id, c.text AS claim_text, v.label, v.confidence, v.created_at,
       CASE WHEN v.id = (SELECT max(v2.id) FROM verdicts v2 WHERE v2.claim_id = v.claim_id)
            THEN 1 ELSE 0 END AS is_latest,
       e.rank, e.passage_id, e.source_external_id, e.stance, e.score, e.text AS passage_text
FROM verdicts v
JOIN claims c ON c.id = v.claim_id
JOIN evidence e ON e.verdict_id = v.id""",
    }


def upgrade() -> None:
    dialect = op.get_context().dialect.name  # works offline too (alembic upgrade --sql)
    for name, select in view_sql(dialect).items():
        op.execute(f"CREATE VIEW {name} AS{select}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")

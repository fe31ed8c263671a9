"""A static, self-contained HTML report: articles with their claims highlighted by verdict, evidence on demand."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.export import VerdictInfo, load_verdicts
from factcheck.records import Label
from factcheck.schema import Article, Run

LABEL_CLASS = {Label.SUPPORTED.value: "supported", Label.REFUTED.value: "refuted",
               Label.NOT_ENOUGH_INFO.value: "nei"}
LABEL_TEXT = {Label.SUPPORTED.value: "supported", Label.REFUTED.value: "refuted",
              Label.NOT_ENOUGH_INFO.value: "not enough info"}
SEVERITY = {Label.REFUTED.value: 3, Label.NOT_ENOUGH_INFO.value: 2, Label.SUPPORTED.value: 1}

CSS = """
:root { --supported: #1a7f37; --supported-bg: #d2f4d9; --refuted: #cf222e; --refuted-bg: #ffd7d5;
        --nei: #9a6700; --nei-bg: #fff1c2; --muted: #57606a; }
body { font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
.meta { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
.chip { display: inline-block; border-radius: 1rem; padding: 0 .6rem; font-size: .8rem; font-weight: 600; }
.chip.supported { background: var(--supported-bg); color: var(--supported); }
.chip.refuted { background: var(--refuted-bg); color: var(--refuted); }
.chip.nei { background: var(--nei-bg); color: var(--nei); }
.text { white-space: pre-wrap; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem; }
mark.claim { border-radius: 3px; padding: 0 1px; border-bottom: 2px solid; }
mark.claim a { color: inherit; text-decoration: none; }
mark.supported { background: var(--supported-bg); border-color: var(--supported); }
mark.refuted { background: var(--refuted-bg); border-color: var(--refuted); }
mark.nei { background: var(--nei-bg); border-color: var(--nei); }
sup.n { font-size: .7rem; color: var(--muted); margin-left: 1px; }
details { border-left: 4px solid #d0d7de; padding: .3rem .8rem; margin: .5rem 0; }
details.supported { border-color: var(--supported); } details.refuted { border-color: var(--refuted); }
details.nei { border-color: var(--nei); }
details:target { background: #fffbdd; }
summary { cursor: pointer; }
ol.evidence li { margin: .4rem 0; }
blockquote { margin: .2rem 0 0; padding-left: .8rem; border-left: 2px solid #d0d7de; color: #32383f; }
.stance-supports .stance { color: var(--supported); } .stance-refutes .stance { color: var(--refuted); }
.stance { font-weight: 600; }
"""

SCRIPT = """
function openTarget() { var d = document.getElementById(location.hash.slice(1)); if (d && d.tagName === 'DETAILS') { d.open = true; d.scrollIntoView(); } }
window.addEventListener('hashchange', openTarget); openTarget();
"""


@dataclass(frozen=True)
class ReportStats:
    """What a report holds."""

    articles: int
    claims: int
    labels: dict[str, int]


def build_report(session: Session, run_id: int | None = None, title: str = "factcheck report") -> tuple[str, ReportStats]:
    """The HTML of the report (every claim's latest verdict, or the claims one run checked) and its counts."""
    items = load_verdicts(session, run_id)
    by_article: dict[int | None, list[VerdictInfo]] = {}
    for item in items:
        by_article.setdefault(item.article.id if item.article else None, []).append(item)
    article_ids = [key for key in by_article if key is not None]
    articles = {row.id: row for row in session.scalars(select(Article).where(Article.id.in_(article_ids)))}
    labels: dict[str, int] = {}
    for item in items:
        labels[item.label] = labels.get(item.label, 0) + 1
    stats = ReportStats(len(article_ids), len(items), labels)

    body = [f"<header><h1>{escape(title)}</h1>", _run_line(session, run_id), _summary(stats), _legend(),
            "</header>"]
    if not items:
        body.append("<p>No verdicts yet.</p>")
    if len(article_ids) > 1:
        body.append("<nav><ol>" + "".join(
            f'<li><a href="#article-{aid}">{escape(articles[aid].title or articles[aid].external_id)}</a></li>'
            for aid in article_ids) + "</ol></nav>")
    for aid in article_ids:
        body.append(_article(articles[aid], by_article[aid]))
    if None in by_article:
        body.append('<section id="no-article"><h2>Claims without an article</h2>')
        body.extend(_details(item, n) for n, item in enumerate(by_article[None], start=1))
        body.append("</section>")
    html = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n")
    return html, stats


def _run_line(session: Session, run_id: int | None) -> str:
    if run_id is None:
        return '<p class="meta">Latest verdict of every claim.</p>'
    run = session.get(Run, run_id)
    finished = f", finished {_when(run.finished_at)}" if run.finished_at else ""
    return (f'<p class="meta">Run {run.id} ({escape(run.kind)}, {escape(run.status)}): started '
            f'{_when(run.started_at)}{finished}.</p>')


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") + " UTC"


def _summary(stats: ReportStats) -> str:
    parts = ", ".join(f"{count} {LABEL_TEXT.get(label, label.lower())}"
                      for label, count in sorted(stats.labels.items(), key=lambda kv: -SEVERITY.get(kv[0], 0)))
    return (f'<p class="meta">{stats.claims} claim{"s" if stats.claims != 1 else ""} in {stats.articles} '
            f'article{"s" if stats.articles != 1 else ""}{": " + parts if parts else ""}.</p>')


def _legend() -> str:
    return '<p class="legend">' + " ".join(
        f'<span class="chip {cls}">{escape(LABEL_TEXT[label])}</span>' for label, cls in LABEL_CLASS.items()) + "</p>"


def _article(article: Article, items: list[VerdictInfo]) -> str:
    numbers = {item.claim_id: n for n, item in enumerate(items, start=1)}
    meta = [escape(article.external_id)]
    if article.published:
        meta.append(f"published {article.published.isoformat()}")
    heading = escape(article.title or article.external_id)
    if article.url:
        heading = f'<a href="{escape(article.url)}">{heading}</a>'
        meta.append(escape(article.url))
    out = [f'<article id="article-{article.id}">', f"<h2>{heading}</h2>", f'<p class="meta">{" · ".join(meta)}</p>',
           f'<div class="text">{highlight(article.text, items, numbers)}</div>', "<h3>Claims</h3>"]
    out.extend(_details(item, numbers[item.claim_id], "" if _has_span(item, article.text) else " (no span in the text)")
               for item in items)
    out.append("</article>")
    return "\n".join(out)


def highlight(text: str, items: list[VerdictInfo], numbers: dict[int, int]) -> str:
    """The escaped text with each claim's span in a <mark>; overlapping spans show the most severe label."""
    spans = [i for i in items if _has_span(i, text)]
    bounds = sorted({0, len(text)} | {i.start for i in spans} | {i.end for i in spans})
    out, anchored = [], set()
    for left, right in zip(bounds, bounds[1:]):
        segment = escape(text[left:right])
        covering = [i for i in spans if i.start <= left and right <= i.end]
        if not covering:
            out.append(segment.lstrip() if left == 0 else segment.rstrip() if right == len(text) else segment)
            continue
        lead = max(covering, key=lambda i: (SEVERITY.get(i.label, 0), -i.claim_id))
        new = [i for i in covering if i.claim_id not in anchored]
        anchored.update(i.claim_id for i in new)
        anchor = f' id="claim-{new[0].claim_id}"' if new else ""
        claims = " ".join(str(i.claim_id) for i in covering)
        out.append(f'<mark class="claim {LABEL_CLASS.get(lead.label, "nei")}"{anchor} data-claims="{claims}" '
                   f'data-label="{escape(lead.label)}" title="{escape(tooltip(lead))}">'
                   f'<a href="#detail-{lead.claim_id}">{segment}</a></mark>')
        ending = sorted(numbers[i.claim_id] for i in covering if i.end == right)
        if ending:
            out.append(f'<sup class="n">{",".join(map(str, ending))}</sup>')
    return "".join(out)


def _has_span(item: VerdictInfo, text: str) -> bool:
    return item.start is not None and item.end is not None and 0 <= item.start < item.end <= len(text)


def tooltip(item: VerdictInfo) -> str:
    """Plain text shown on hover: label, confidence and the best evidence."""
    lines = [f"{item.label} ({item.confidence:.2f}): {item.claim}"]
    for e in item.evidence[:3]:
        snippet = " ".join(e.text.split())
        lines.append(f"[{e.stance}] {e.source_id}: {snippet[:200]}{'…' if len(snippet) > 200 else ''}")
    if not item.evidence:
        lines.append("no evidence cited")
    return "\n".join(lines)


def _details(item: VerdictInfo, number: int, note: str = "") -> str:
    cls = LABEL_CLASS.get(item.label, "nei")
    evidence = "".join(
        f'<li class="stance-{escape(e.stance)}"><span class="stance">{escape(e.stance)}</span> '
        f'<span class="meta">score {e.score:.3f} · <cite>{escape(e.source_id)}</cite></span>'
        f"<blockquote>{escape(e.text)}</blockquote></li>" for e in item.evidence)
    return (f'<details id="detail-{item.claim_id}" class="{cls}"><summary>{number}. '
            f'<span class="chip {cls}">{escape(LABEL_TEXT.get(item.label, item.label))}</span> '
            f'{item.confidence:.2f} · {escape(item.claim)}{escape(note)}</summary>'
            f'<p class="meta">verifier {escape(item.verifier)} {escape(item.verifier_version)} · '
            f'decided {_when(item.created_at)} · last checked {_when(item.checked_at)}</p>'
            + (f'<ol class="evidence">{evidence}</ol>' if evidence else '<p class="meta">No evidence cited.</p>')
            + "</details>")

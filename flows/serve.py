"""Serve index_sources, check_articles and recheck as scheduled deployments: `python -m flows.serve`."""
from __future__ import annotations

import argparse

from prefect import serve

from flows.check_articles import check_articles
from flows.index_sources import index_sources
from flows.recheck import recheck


def deployments(sources: list[str], articles: list[str], index_cron: str, check_cron: str,
                recheck_cron: str | None = None, only_new: bool = False):
    """The deployments with their cron schedules and default inputs; recheck only with its cron.

    `only_new` makes the scheduled index and check runs take only new or changed items of their inputs.
    """
    extra = {"only_new": True} if only_new else {}
    out = [
        index_sources.to_deployment(name="scheduled", cron=index_cron, parameters={"inputs": sources, **extra},
                                    tags=["factcheck"]),
        check_articles.to_deployment(name="scheduled", cron=check_cron, parameters={"inputs": articles, **extra},
                                     tags=["factcheck"]),
    ]
    if recheck_cron:
        out.append(recheck.to_deployment(name="scheduled", cron=recheck_cron, tags=["factcheck"]))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", nargs="+", default=["examples/sources"], help="Source inputs to index.")
    parser.add_argument("--articles", nargs="+", default=["examples/articles"], help="Article inputs to check.")
    parser.add_argument("--index-cron", default="0 * * * *", help="Cron schedule of index_sources (hourly).")
    parser.add_argument("--check-cron", default="15 * * * *", help="Cron schedule of check_articles.")
    parser.add_argument("--recheck-cron", default="30 * * * *",
                        help="Cron schedule of recheck (after indexing); '' for no recheck deployment.")
    parser.add_argument("--all-items", action="store_true",
                        help="Scheduled runs read every item, not only new or changed ones.")
    args = parser.parse_args(argv)
    serve(*deployments(args.sources, args.articles, args.index_cron, args.check_cron, args.recheck_cron or None,
                       only_new=not args.all_items))


if __name__ == "__main__":
    main()

"""Serve index_sources and check_articles as scheduled deployments: `python -m flows.serve`."""
from __future__ import annotations

import argparse

from prefect import serve

from flows.check_articles import check_articles
from flows.index_sources import index_sources


def deployments(sources: list[str], articles: list[str], index_cron: str, check_cron: str):
    """The two deployments with their cron schedules and default inputs."""
    return [
        index_sources.to_deployment(name="scheduled", cron=index_cron, parameters={"inputs": sources},
                                    tags=["factcheck"]),
        check_articles.to_deployment(name="scheduled", cron=check_cron, parameters={"inputs": articles},
                                     tags=["factcheck"]),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", nargs="+", default=["examples/sources"], help="Source inputs to index.")
    parser.add_argument("--articles", nargs="+", default=["examples/articles"], help="Article inputs to check.")
    parser.add_argument("--index-cron", default="0 * * * *", help="Cron schedule of index_sources (hourly).")
    parser.add_argument("--check-cron", default="15 * * * *", help="Cron schedule of check_articles.")
    args = parser.parse_args(argv)
    serve(*deployments(args.sources, args.articles, args.index_cron, args.check_cron))


if __name__ == "__main__":
    main()

"""Prefect flows over the factcheck library: index_sources, check_articles, and their deployments."""
import os

# Before prefect is imported: send factcheck's own logs to the Prefect UI, and keep telemetry off
# (it fails noisily offline).
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "factcheck")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import logging  # noqa: E402

# factcheck logs progress at INFO (claims per article, verdicts per batch, index updates); show it in runs.
logging.getLogger("factcheck").setLevel(logging.INFO)

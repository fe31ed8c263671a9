"""Prefect flows over the factcheck library: index_sources, check_articles, and their deployments."""
import os

# Before prefect is imported: send factcheck's own logs to the Prefect UI, and keep telemetry off
# (it fails noisily offline).
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "factcheck")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

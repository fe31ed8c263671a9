#!/usr/bin/env bash
# The main job on the bundled sample: index examples/sources, check examples/articles through the
# Prefect flow (SQLite, Prefect's temporary local server), print the verdict table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
export FACTCHECK_HOME=${FACTCHECK_HOME:-$PWD/.factcheck-home}
.venv/bin/factcheck sources add examples/sources
.venv/bin/python -m flows.check_articles examples/articles
.venv/bin/factcheck verdicts --limit 200

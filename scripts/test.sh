#!/usr/bin/env bash
# Install everything (first run only) and run the whole test suite, then lint and type-check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
ruff check src tests bench
mypy
lint-imports --no-cache
pytest -q -p no:cacheprovider "$@"

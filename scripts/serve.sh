#!/usr/bin/env bash
# Install everything (first run only) and start kinema on http://127.0.0.1:8000 with embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/kinema serve "$@"

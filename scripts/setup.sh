#!/usr/bin/env bash
# One-stop set-up for a fresh machine: system packages, a virtualenv in .venv, kinema and its extras.
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${KINEMA_PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

# espeak-ng: the Mandarin (zh) TTS voice. Installed only when missing; needs root (as here and in CI).
if ! command -v espeak-ng >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null) || echo "warning: espeak-ng not installed; zh TTS will be unavailable" >&2
  else
    echo "warning: install espeak-ng for Mandarin TTS (apt-get install espeak-ng)" >&2
  fi
fi

# chromium: the browser the playground's tests drive (tests/api/browser, Playwright with executable_path).
# Debian's package, not Playwright's download. Installed only when missing; needs root (as here and in CI).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: chromium not installed; the playground's browser tests will be skipped" >&2
  else
    echo "warning: install chromium for the playground's browser tests (apt-get install chromium)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade "pip>=24"
stamp=.venv/.kinema-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ scripts/setup.sh -nt "$stamp" ]; then
  # gpu: the generative engines' extra (torch pinned to the 2.13.0 CPU build on these machines); the tests
  # build tiny random pipelines with it (tests/engines/generative/tiny.py). asr: Whisper base for the TTS
  # intelligibility bench and tests/engines/asr (bench and tests only; serving never needs it).
  python -m pip install -q -e ".[scale,dev,gpu,asr]"
  # mediapipe 0.10.21 is the last release whose wheel carries the face-mesh and selfie-segmentation models.
  # It declares numpy<2 and drags in jax; its real run-time needs are listed in pyproject.toml, so install
  # it without dependencies (it then works with numpy 2).
  python -m pip install -q --no-deps "mediapipe==0.10.21"
  touch "$stamp"
fi

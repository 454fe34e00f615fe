"""Voice id rules (presets per language, the speed range) and the previous engines' character profiles.

Kokoro, the default engine, maps each id onto one of its own voices (``kokoro_voices``). The previous
engines have one English neural voice (Piper "joe", an adult male) and espeak-ng's Mandarin voice. Kling's ids
name characters (a girl, an old king, a commercial lady ...). Rather than reject them, every preset id gets a
fixed *profile*: a coarse character class that changes pitch/vocal-tract size (resampling), pace and
prosodic variation. The result is recognisably different per class, deterministic, and honestly *not* the
upstream voice — docs/tts.md says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinema.contract.voices import VOICES, is_known_voice
from kinema.engines.tts.types import TtsInputError

SPEED_MIN, SPEED_MAX = 0.8, 2.0


@dataclass(frozen=True)
class VoiceProfile:
    """How to colour the base voice.

    ``pitch`` > 1 raises pitch and formants together (a smaller speaker) by resampling; ``pace`` > 1 speaks
    faster; ``noise``/``noise_w`` are Piper's timbre and rhythm variation; ``espeak_variant``/``espeak_pitch``
    are the equivalents for espeak-ng (variant file under ``voices/!v``, pitch 0–99).
    """

    name: str
    pitch: float = 1.0
    pace: float = 1.0
    noise: float = 0.667
    noise_w: float = 0.8
    espeak_variant: str = "m1"
    espeak_pitch: int = 45


PROFILES: dict[str, VoiceProfile] = {
    p.name: p
    for p in (
        VoiceProfile("male"),
        VoiceProfile("deep_male", pitch=0.9, pace=0.95, noise=0.6, espeak_variant="m3", espeak_pitch=30),
        VoiceProfile(
            "old_male", pitch=0.93, pace=0.88, noise=0.75, noise_w=0.9, espeak_variant="m7", espeak_pitch=35
        ),
        VoiceProfile(
            "calm", pitch=0.97, pace=0.9, noise=0.5, noise_w=0.6, espeak_variant="m2", espeak_pitch=40
        ),
        VoiceProfile("female", pitch=1.18, espeak_variant="f2", espeak_pitch=65),
        VoiceProfile("mature_female", pitch=1.12, pace=0.95, noise=0.6, espeak_variant="f3", espeak_pitch=58),
        VoiceProfile(
            "old_female", pitch=1.1, pace=0.88, noise=0.75, noise_w=0.9, espeak_variant="f4", espeak_pitch=55
        ),
        VoiceProfile("boy", pitch=1.22, pace=1.05, noise=0.7, espeak_variant="m1", espeak_pitch=75),
        VoiceProfile("girl", pitch=1.3, pace=1.05, noise=0.7, espeak_variant="f5", espeak_pitch=85),
    )
}

# Every preset id of both languages → a character class (by the character the id names).
VOICE_CLASS: dict[str, str] = {
    # adult men
    "oversea_male1": "male",
    "ai_chenjiahao_712": "male",
    "reader_en_m-v1": "male",
    "uk_man2": "male",
    "AOT": "male",
    "genshin_vindi2": "male",
    "tiexin_nanyou": "male",
    "ai_kaiya": "male",  # "Shine" / 阳光男生, a sunny young man
    "yizhipiannan-v1": "male",
    "chongqingxiaohuo_speech02": "male",
    "dongbeilaotie_speech02": "male",
    "chaoshandashu_speech02": "male",
    "ai_taiwan_man2_speech02": "male",
    "xianzhanggui_speech02": "male",
    "ai_huangyaoshi_712": "deep_male",
    "ai_huangzhong_712": "deep_male",
    "diyinnansang_DB_CN_M_04-v2": "deep_male",
    "daopianyansang-v1": "deep_male",
    "ai_laoguowang_712": "old_male",
    "uk_oldman3": "old_male",
    "calm_story1": "calm",
    "you_pingjing": "calm",
    "zhuxi_speech02": "calm",
    # adult women
    "ai_shatang": "female",
    "genshin_kirara": "female",
    "girlfriend_1_speech02": "female",
    "girlfriend_2_speech02": "female",
    "girlfriend_4_speech02": "female",
    "chat1_female_new-3": "female",
    "chat_0407_5-1": "female",
    "commercial_lady_en_f-v1": "female",
    "guanxiaofang-v2": "female",
    "tianmeixuemei-v1": "female",
    "chuanmeizi_speech02": "female",
    "tianjinjiejie_speech02": "female",
    "chengshu_jiejie": "mature_female",
    "laopopo_speech02": "old_female",
    "heainainai_speech02": "old_female",
    # children
    "cartoon-boy-07": "boy",
    "uk_boy1": "boy",
    "zhinen_xuesheng": "boy",
    "tiyuxi_xuedi": "boy",
    "mengwa-v1": "boy",  # 乖巧正太, a little boy
    "genshin_klee2": "girl",
    "cartoon-girl-01": "girl",
    "PeppaPig_platform": "girl",
}

DEFAULT_VOICE: dict[str, str] = {"en": "reader_en_m-v1", "zh": "ai_chenjiahao_712"}


def normalize_speed(speed: float) -> float:
    """Clamp to [0.8, 2.0] and round to one decimal, as the upstream API does with ``voice_speed``."""
    return round(min(SPEED_MAX, max(SPEED_MIN, float(speed))), 1)


def resolve_voice(voice_id: str | None, language: str) -> tuple[str, VoiceProfile]:
    """Return ``(voice_id, profile)``; ``None`` picks the language's default.

    Raises :class:`TtsInputError` (a ``ValueError``) for an unsupported language or an id that is not a
    preset of that language.
    """
    if language not in VOICES:
        raise TtsInputError("voice_language", f"must be one of {sorted(VOICES)}, got {language!r}")
    vid = voice_id if voice_id else DEFAULT_VOICE[language]
    if not is_known_voice(vid, language):
        raise TtsInputError("voice_id", f"{vid!r} is not a preset voice for language {language!r}")
    return vid, PROFILES[VOICE_CLASS.get(vid, "male")]

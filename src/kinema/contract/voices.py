"""Preset TTS voice ids accepted per ``voice_language``, as listed in the upstream voice sheet (spec §5)."""

from __future__ import annotations

from typing import Literal

VoiceLanguage = Literal["zh", "en"]

VOICES: dict[str, tuple[str, ...]] = {
    "zh": (
        "genshin_vindi2",
        "zhinen_xuesheng",
        "tiyuxi_xuedi",
        "ai_shatang",
        "genshin_klee2",
        "genshin_kirara",
        "ai_kaiya",
        "tiexin_nanyou",
        "ai_chenjiahao_712",
        "girlfriend_1_speech02",
        "chat1_female_new-3",
        "girlfriend_2_speech02",
        "cartoon-boy-07",
        "cartoon-girl-01",
        "ai_huangyaoshi_712",
        "you_pingjing",
        "ai_laoguowang_712",
        "chengshu_jiejie",
        "zhuxi_speech02",
        "uk_oldman3",
        "laopopo_speech02",
        "heainainai_speech02",
        "dongbeilaotie_speech02",
        "chongqingxiaohuo_speech02",
        "chuanmeizi_speech02",
        "chaoshandashu_speech02",
        "ai_taiwan_man2_speech02",
        "xianzhanggui_speech02",
        "tianjinjiejie_speech02",
        "diyinnansang_DB_CN_M_04-v2",
        "yizhipiannan-v1",
        "guanxiaofang-v2",
        "tianmeixuemei-v1",
        "daopianyansang-v1",
        "mengwa-v1",
    ),
    "en": (
        "genshin_vindi2",
        "zhinen_xuesheng",
        "AOT",
        "ai_shatang",
        "genshin_klee2",
        "genshin_kirara",
        "ai_kaiya",
        "oversea_male1",
        "ai_chenjiahao_712",
        "girlfriend_4_speech02",
        "chat1_female_new-3",
        "chat_0407_5-1",
        "cartoon-boy-07",
        "uk_boy1",
        "cartoon-girl-01",
        "PeppaPig_platform",
        "ai_huangzhong_712",
        "ai_huangyaoshi_712",
        "ai_laoguowang_712",
        "chengshu_jiejie",
        "you_pingjing",
        "calm_story1",
        "uk_man2",
        "laopopo_speech02",
        "heainainai_speech02",
        "reader_en_m-v1",
        "commercial_lady_en_f-v1",
    ),
}


def is_known_voice(voice_id: str, language: str) -> bool:
    """True when ``voice_id`` is a preset voice of ``language``."""
    return voice_id in VOICES.get(language, ())

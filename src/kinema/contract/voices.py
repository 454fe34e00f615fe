"""Preset TTS voice ids accepted per ``voice_language``, as listed in the upstream voice sheet (spec §5),
with their display names and the facts the voice endpoints (``…/general/presets-voices``, custom voices)
need."""

from __future__ import annotations

from dataclasses import dataclass
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


#: The display name of each preset voice, per language, as the upstream voice sheet names it (Chinese names
#: for the zh list, English names for the en list): ``voice_name`` in ``GET …/general/presets-voices``.
VOICE_NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "genshin_vindi2": "阳光少年",
        "zhinen_xuesheng": "懂事小弟",
        "tiyuxi_xuedi": "运动少年",
        "ai_shatang": "青春少女",
        "genshin_klee2": "温柔小妹",
        "genshin_kirara": "元气少女",
        "ai_kaiya": "阳光男生",
        "tiexin_nanyou": "幽默小哥",
        "ai_chenjiahao_712": "文艺小哥",
        "girlfriend_1_speech02": "甜美邻家",
        "chat1_female_new-3": "温柔姐姐",
        "girlfriend_2_speech02": "职场女青",
        "cartoon-boy-07": "活泼男童",
        "cartoon-girl-01": "俏皮女童",
        "ai_huangyaoshi_712": "稳重老爸",
        "you_pingjing": "温柔妈妈",
        "ai_laoguowang_712": "严肃上司",
        "chengshu_jiejie": "优雅贵妇",
        "zhuxi_speech02": "慈祥爷爷",
        "uk_oldman3": "唠叨爷爷",
        "laopopo_speech02": "唠叨奶奶",
        "heainainai_speech02": "和蔼奶奶",
        "dongbeilaotie_speech02": "东北老铁",
        "chongqingxiaohuo_speech02": "重庆小伙",
        "chuanmeizi_speech02": "四川妹子",
        "chaoshandashu_speech02": "潮汕大叔",
        "ai_taiwan_man2_speech02": "台湾男生",
        "xianzhanggui_speech02": "西安掌柜",
        "tianjinjiejie_speech02": "天津姐姐",
        "diyinnansang_DB_CN_M_04-v2": "新闻播报男",
        "yizhipiannan-v1": "译制片男",
        "guanxiaofang-v2": "撒娇女友",
        "tianmeixuemei-v1": "甜美学妹",
        "daopianyansang-v1": "刀片烟嗓",
        "mengwa-v1": "乖巧正太",
    },
    "en": {
        "genshin_vindi2": "Sunny",
        "zhinen_xuesheng": "Sage",
        "AOT": "Ace",
        "ai_shatang": "Blossom",
        "genshin_klee2": "Peppy",
        "genshin_kirara": "Dove",
        "ai_kaiya": "Shine",
        "oversea_male1": "Anchor",
        "ai_chenjiahao_712": "Lyric",
        "girlfriend_4_speech02": "Melody",
        "chat1_female_new-3": "Tender",
        "chat_0407_5-1": "Siren",
        "cartoon-boy-07": "Zippy",
        "uk_boy1": "Bud",
        "cartoon-girl-01": "Sprite",
        "PeppaPig_platform": "Candy",
        "ai_huangzhong_712": "Beacon",
        "ai_huangyaoshi_712": "Rock",
        "ai_laoguowang_712": "Titan",
        "chengshu_jiejie": "Grace",
        "you_pingjing": "Helen",
        "calm_story1": "Lore",
        "uk_man2": "Crag",
        "laopopo_speech02": "Prattle",
        "heainainai_speech02": "Hearth",
        "reader_en_m-v1": "The Reader",
        "commercial_lady_en_f-v1": "Commercial Lady",
    },
}

#: What every trial sample says, per language: one fixed sentence, about three seconds long.
TRIAL_SENTENCES: dict[str, str] = {
    "en": "Hello! This is my voice. I can read your script aloud.",
    "zh": "你好，欢迎试听我的声音。",
}

#: The routes, below each API prefix (``/v1``, ``/kling/v1``); none of them is a task kind.
PRESETS_PATH = "/general/presets-voices"
CUSTOM_PATH = "/general/custom-voices"
DELETE_PATH = "/general/delete-voices"
#: Where a trial sample is fetched (no prefix, like ``/files``): signed, like every download.
TRIAL_PATH = "/voices/trial/{voice_language}/{voice_id}.mp3"
#: ``created_at``/``updated_at`` of the preset entries: when this catalogue was last changed (2026-11-29).
CATALOGUE_TIME_MS = 1_795_910_400_000

#: ``owned_by`` of a preset voice (upstream: "kling" for the official library, else the creator's id).
PRESET_OWNER = "kling"
#: ``pageSize`` of the voice lists goes up to 1000 (tasks' lists stop at 500); ``pageNum`` is 1..1000.
VOICE_PAGE_SIZE_MAX = 1000
#: ``voice_name`` of a custom-voice create: at most 20 characters.
CUSTOM_VOICE_NAME_MAX = 20
#: Why a custom-voice create is refused: kinema's TTS has no voice cloning.
CLONING_UNSUPPORTED = (
    "voice cloning is not supported on this server: kinema's TTS speaks only the preset voices "
    "(GET /v1/general/presets-voices)"
)


@dataclass(frozen=True)
class PresetVoice:
    """One preset voice of one language: the id the TTS, lip-sync and voice_list fields take, and its name."""

    voice_id: str
    voice_language: VoiceLanguage
    voice_name: str


def preset_voices() -> list[PresetVoice]:
    """Every preset voice, zh first then en, each list in the voice sheet's order (the order pages follow).
    An id that both languages list appears twice, once per language: it speaks differently in each."""
    return [
        PresetVoice(voice_id, language, VOICE_NAMES[language][voice_id])
        for language in ("zh", "en")
        for voice_id in VOICES[language]
    ]


def is_preset_id(voice_id: str) -> bool:
    """True when any language lists ``voice_id`` as a preset (a delete of it is refused, not "not found")."""
    return any(voice_id in ids for ids in VOICES.values())

"""Kling's preset voice ids → Kokoro voices, chosen by gender, age and style (docs/tts.md has the table).

Kokoro v1.0 has 8 Mandarin voices (4 women, 3 men, 1 boy) and 28 English ones (11 US women, 9 US men,
4 UK women, 4 UK men); it has no elderly voice and no English child voice. Each id takes the closest voice
by the character its name in the voice sheet describes (a sunny teen boy, a gentle mother, a news anchor …),
and a ``pace`` that multiplies ``voice_speed``: a little slower for the elderly and the calm, a little faster
for children. English ids prefer the voices kokoro-js grades best (af_heart A, af_bella A-, af_nicole and
bf_emma B-, the C+ voices), so a close but poorly graded voice is used only where nothing better fits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KokoroVoice:
    """A Kokoro voice file name (``zf_xiaoxiao``) and the pace this character speaks at."""

    name: str
    pace: float = 1.0


#: Every zh preset id → its Mandarin Kokoro voice.
ZH: dict[str, KokoroVoice] = {
    "genshin_vindi2": KokoroVoice("zm_yunxi"),  # 阳光少年, sunny teenage boy
    "zhinen_xuesheng": KokoroVoice("zm_yunxia", 1.05),  # 懂事小弟, little brother
    "tiyuxi_xuedi": KokoroVoice("zm_yunxia", 1.05),  # 运动少年, sporty boy
    "ai_shatang": KokoroVoice("zf_xiaoyi"),  # 青春少女, young girl
    "genshin_klee2": KokoroVoice("zf_xiaoyi", 0.95),  # 温柔小妹, gentle little sister
    "genshin_kirara": KokoroVoice("zf_xiaoyi", 1.05),  # 元气少女, energetic girl
    "ai_kaiya": KokoroVoice("zm_yunxi"),  # 阳光男生, sunny young man
    "tiexin_nanyou": KokoroVoice("zm_yunxi", 1.05),  # 幽默小哥, humorous young man
    "ai_chenjiahao_712": KokoroVoice("zm_yunxi"),  # 文艺小哥, literary young man (zh default)
    "girlfriend_1_speech02": KokoroVoice("zf_xiaoxiao"),  # 甜美邻家, sweet girl next door
    "chat1_female_new-3": KokoroVoice("zf_xiaoxiao", 0.95),  # 温柔姐姐, gentle older sister
    "girlfriend_2_speech02": KokoroVoice("zf_xiaoxiao", 1.05),  # 职场女青, young professional woman
    "cartoon-boy-07": KokoroVoice("zm_yunxia", 1.1),  # 活泼男童, lively boy
    "cartoon-girl-01": KokoroVoice("zf_xiaoyi", 1.1),  # 俏皮女童, playful girl
    "ai_huangyaoshi_712": KokoroVoice("zm_yunjian", 0.95),  # 稳重老爸, steady father
    "you_pingjing": KokoroVoice("zf_xiaobei", 0.95),  # 温柔妈妈, gentle mother
    "ai_laoguowang_712": KokoroVoice("zm_yunyang", 0.95),  # 严肃上司, serious boss
    "chengshu_jiejie": KokoroVoice("zf_xiaobei"),  # 优雅贵妇, elegant lady
    "zhuxi_speech02": KokoroVoice("zm_yunjian", 0.85),  # 慈祥爷爷, kind grandfather
    "uk_oldman3": KokoroVoice("zm_yunyang", 0.9),  # 唠叨爷爷, chatty grandfather
    "laopopo_speech02": KokoroVoice("zf_xiaobei", 0.9),  # 唠叨奶奶, chatty grandmother
    "heainainai_speech02": KokoroVoice("zf_xiaobei", 0.85),  # 和蔼奶奶, kind grandmother
    "dongbeilaotie_speech02": KokoroVoice("zm_yunjian", 1.05),  # 东北老铁, north-eastern man
    "chongqingxiaohuo_speech02": KokoroVoice("zm_yunxi", 1.05),  # 重庆小伙, young Chongqing man
    "chuanmeizi_speech02": KokoroVoice("zf_xiaoxiao", 1.1),  # 四川妹子, young Sichuan woman
    "chaoshandashu_speech02": KokoroVoice("zm_yunjian"),  # 潮汕大叔, middle-aged man
    "ai_taiwan_man2_speech02": KokoroVoice("zm_yunxi", 0.95),  # 台湾男生, soft-spoken young man
    "xianzhanggui_speech02": KokoroVoice("zm_yunyang"),  # 西安掌柜, shopkeeper
    "tianjinjiejie_speech02": KokoroVoice("zf_xiaobei", 1.05),  # 天津姐姐, northern woman
    "diyinnansang_DB_CN_M_04-v2": KokoroVoice("zm_yunyang"),  # 新闻播报男, news anchor
    "yizhipiannan-v1": KokoroVoice("zm_yunjian"),  # 译制片男, film-dubbing man
    "guanxiaofang-v2": KokoroVoice("zf_xiaoyi"),  # 撒娇女友, coquettish girlfriend
    "tianmeixuemei-v1": KokoroVoice("zf_xiaoxiao", 1.05),  # 甜美学妹, sweet schoolgirl
    "daopianyansang-v1": KokoroVoice("zm_yunjian", 0.95),  # 刀片烟嗓, husky smoky voice
    "mengwa-v1": KokoroVoice("zm_yunxia"),  # 乖巧正太, well-behaved little boy
}

#: Every en preset id → its English Kokoro voice (af/am: US, bf/bm: UK).
EN: dict[str, KokoroVoice] = {
    "genshin_vindi2": KokoroVoice("am_puck"),  # Sunny: bright young man
    "zhinen_xuesheng": KokoroVoice("am_puck", 1.05),  # Sage: sensible younger brother
    "AOT": KokoroVoice("am_fenrir"),  # Ace: strong young man
    "ai_shatang": KokoroVoice("af_kore"),  # Blossom: young woman
    "genshin_klee2": KokoroVoice("af_sky", 1.05),  # Peppy: little sister
    "genshin_kirara": KokoroVoice("af_bella", 1.05),  # Dove: energetic girl
    "ai_kaiya": KokoroVoice("am_puck"),  # Shine: sunny young man
    "oversea_male1": KokoroVoice("am_michael"),  # Anchor: presenter
    "ai_chenjiahao_712": KokoroVoice("bm_fable"),  # Lyric: literary young man
    "girlfriend_4_speech02": KokoroVoice("af_bella"),  # Melody: girlfriend
    "chat1_female_new-3": KokoroVoice("af_nicole", 0.95),  # Tender: soft older sister
    "chat_0407_5-1": KokoroVoice("af_aoede"),  # Siren: alluring woman
    "cartoon-boy-07": KokoroVoice("am_puck", 1.1),  # Zippy: lively boy
    "uk_boy1": KokoroVoice("bm_fable", 1.1),  # Bud: British boy
    "cartoon-girl-01": KokoroVoice("af_sky", 1.1),  # Sprite: playful girl
    "PeppaPig_platform": KokoroVoice("bf_isabella", 1.1),  # Candy: British little girl
    "ai_huangzhong_712": KokoroVoice("am_fenrir", 0.95),  # Beacon: deep-voiced man
    "ai_huangyaoshi_712": KokoroVoice("am_michael", 0.95),  # Rock: steady father
    "ai_laoguowang_712": KokoroVoice("bm_george", 0.9),  # Titan: old king, serious boss
    "chengshu_jiejie": KokoroVoice("bf_emma"),  # Grace: elegant lady
    "you_pingjing": KokoroVoice("af_sarah", 0.95),  # Helen: gentle mother
    "calm_story1": KokoroVoice("bm_fable", 0.9),  # Lore: calm storyteller
    "uk_man2": KokoroVoice("bm_george"),  # Crag: British man
    "laopopo_speech02": KokoroVoice("af_alloy", 0.95),  # Prattle: chatty grandmother
    "heainainai_speech02": KokoroVoice("bf_emma", 0.85),  # Hearth: kind grandmother
    "reader_en_m-v1": KokoroVoice("am_michael"),  # The Reader (en default)
    "commercial_lady_en_f-v1": KokoroVoice("af_heart"),  # Commercial Lady
}

BY_LANGUAGE: dict[str, dict[str, KokoroVoice]] = {"zh": ZH, "en": EN}

#: The voice files kinema uses (scripts/setup.sh copies all 36 zh and en voices of kokoro-js).
USED_VOICES: frozenset[str] = frozenset(v.name for table in BY_LANGUAGE.values() for v in table.values())


def kokoro_voice(voice_id: str, language: str) -> KokoroVoice:
    """The Kokoro voice of a preset id (the id must be a preset of ``language``)."""
    return BY_LANGUAGE[language][voice_id]

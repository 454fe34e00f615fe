"""Turn ``sound_effect_prompt`` / ``bgm_prompt`` words and the picture into a sound plan and a music plan.

There is no language model here: prompts are matched against small keyword tables (English and common
Chinese words). Whatever the prompt does not decide, the picture does (see :func:`plan_sound`), so an empty
prompt still gives sound that belongs to the video. The tables are the documented vocabulary
(docs/video_to_audio.md); unknown words are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from kinema.engines.video_to_audio.analysis import VideoAnalysis

IMPACTS = ("knock", "wood", "metal", "glass", "ball", "footstep", "punch", "splash", "tap")
BEDS = (
    "wind",
    "rain",
    "water",
    "surf",
    "fire",
    "crowd",
    "applause",
    "traffic",
    "helicopter",
    "birds",
    "room",
)

_IMPACT_WORDS: dict[str, tuple[str, ...]] = {
    "footstep": (
        "footstep",
        "footsteps",
        "step",
        "steps",
        "walk",
        "walking",
        "run",
        "running",
        "jog",
        "脚步",
        "走路",
        "跑",
    ),
    "wood": ("wood", "wooden", "door", "table", "chop", "knock", "木"),
    "metal": ("metal", "metallic", "clang", "steel", "iron", "sword", "bell", "anvil", "金属", "铁"),
    "glass": ("glass", "shatter", "crystal", "ice", "clink", "玻璃"),
    "ball": ("ball", "bounce", "bouncing", "basketball", "tennis", "football", "soccer", "球", "弹"),
    "punch": ("punch", "hit", "fight", "kick", "boxing", "slam", "crash", "explosion", "boom", "打", "撞"),
    "splash": ("splash", "drop", "drip", "dive", "swim", "溅", "水花"),
    "tap": ("tap", "tapping", "click", "typing", "keyboard", "scratch", "asmr", "轻敲"),
}
_BED_WORDS: dict[str, tuple[str, ...]] = {
    "wind": ("wind", "windy", "breeze", "storm", "gust", "air", "mountain", "desert", "风"),
    "rain": ("rain", "rainy", "raining", "drizzle", "downpour", "thunder", "storm", "雨"),
    "water": ("water", "river", "stream", "lake", "waterfall", "fountain", "水", "河"),
    "surf": ("ocean", "sea", "wave", "waves", "beach", "surf", "seashore", "海", "浪"),
    "fire": ("fire", "flame", "flames", "campfire", "fireplace", "burning", "crackle", "火", "篝火"),
    "crowd": (
        "crowd",
        "people",
        "cafe",
        "restaurant",
        "market",
        "party",
        "audience",
        "stadium",
        "人群",
        "热闹",
        "观众",
    ),
    "applause": ("applause", "clapping", "clap", "ovation", "掌声", "鼓掌"),
    "helicopter": ("helicopter", "chopper", "直升机"),
    "traffic": (
        "traffic",
        "city",
        "street",
        "car",
        "cars",
        "road",
        "urban",
        "highway",
        "engine",
        "城市",
        "街",
        "车",
    ),
    "birds": (
        "bird",
        "birds",
        "forest",
        "jungle",
        "nature",
        "park",
        "garden",
        "morning",
        "鸟",
        "森林",
        "自然",
    ),
    "room": ("room", "indoor", "indoors", "office", "quiet", "silence", "house", "kitchen", "室内", "安静"),
}
_WHOOSH_WORDS = ("whoosh", "swoosh", "swish", "fast", "speed", "flying", "fly", "race", "呼啸", "飞")


@dataclass(frozen=True)
class SoundPlan:
    """Which generators play: the impact voice for motion events, the beds, and whooshes on camera moves."""

    impact: str
    beds: tuple[str, ...]
    whoosh: bool
    movement: float  # level of the continuous movement texture (0 = off, 1 = normal)
    matched: tuple[str, ...]  # prompt words that decided something (for logs/docs)
    scene_beds: tuple[tuple[str, ...], ...] = ()  # per shot (``video.scenes``) when the picture chose


@dataclass(frozen=True)
class MusicPlan:
    """How the music sounds. ``root`` is a MIDI note; ``progression`` lists scale degrees (0-based)."""

    enabled: bool
    mood: str
    root: int
    minor: bool
    tempo: float
    instruments: tuple[str, ...]
    progression: tuple[int, ...]
    drums: str  # none | soft | four | rock | halftime | swing
    level_db: float  # level relative to the effects


@dataclass(frozen=True)
class _Mood:
    root: int
    minor: bool
    tempo: float
    inst: tuple[str, ...]
    prog: tuple[int, ...]
    drums: str


_MOODS: dict[str, _Mood] = {
    "calm": _Mood(60, False, 72, ("pad", "bell"), (0, 4, 5, 3), "none"),
    "happy": _Mood(62, False, 118, ("pluck", "bass", "pad"), (0, 4, 5, 3), "four"),
    "sad": _Mood(57, True, 68, ("piano", "strings"), (0, 5, 2, 6), "none"),
    "epic": _Mood(50, True, 90, ("strings", "brass", "bass"), (0, 5, 2, 6), "halftime"),
    "tense": _Mood(52, True, 100, ("drone", "pulse"), (0, 0, 1, 0), "soft"),
    "electronic": _Mood(57, True, 124, ("saw", "bass", "pad"), (0, 5, 3, 6), "four"),
    "rock": _Mood(52, False, 128, ("guitar", "bass"), (0, 6, 3, 4), "rock"),
    "jazz": _Mood(53, False, 96, ("piano", "bass"), (1, 4, 0, 5), "swing"),
    "lofi": _Mood(58, False, 80, ("piano", "bass", "pad"), (3, 2, 1, 0), "soft"),
    "romantic": _Mood(60, False, 76, ("piano", "strings"), (0, 5, 3, 4), "none"),
}
_MOOD_WORDS: dict[str, tuple[str, ...]] = {
    "calm": (
        "calm",
        "ambient",
        "relax",
        "relaxing",
        "peaceful",
        "gentle",
        "soft",
        "meditation",
        "dreamy",
        "平静",
        "舒缓",
        "轻柔",
        "放松",
    ),
    "happy": (
        "happy",
        "upbeat",
        "cheerful",
        "fun",
        "joyful",
        "bright",
        "pop",
        "playful",
        "summer",
        "欢快",
        "快乐",
        "开心",
        "活泼",
    ),
    "sad": ("sad", "melancholy", "melancholic", "sorrow", "lonely", "emotional", "悲伤", "忧伤", "伤感"),
    "epic": (
        "epic",
        "cinematic",
        "heroic",
        "orchestral",
        "trailer",
        "battle",
        "grand",
        "史诗",
        "宏大",
        "电影",
    ),
    "tense": (
        "tense",
        "suspense",
        "horror",
        "scary",
        "dark",
        "thriller",
        "mystery",
        "creepy",
        "紧张",
        "悬疑",
        "恐怖",
    ),
    "electronic": ("electronic", "edm", "techno", "house", "dance", "synth", "cyberpunk", "club", "电子"),
    "rock": ("rock", "guitar", "metal", "punk", "energetic", "摇滚"),
    "jazz": ("jazz", "swing", "bossa", "lounge", "blues", "爵士"),
    "lofi": ("lofi", "lo-fi", "chill", "hiphop", "hip-hop", "study", "beats"),
    "romantic": ("romantic", "love", "wedding", "tender", "warm", "浪漫", "爱情", "温馨"),
}
_INSTRUMENT_WORDS: dict[str, tuple[str, ...]] = {
    "piano": ("piano", "钢琴"),
    "strings": ("strings", "violin", "cello", "orchestra", "小提琴", "弦乐"),
    "guitar": ("guitar", "吉他"),
    "bell": ("bell", "bells", "music box", "celesta", "铃"),
    "saw": ("synth", "synthesizer", "合成器"),
    "pad": ("pad", "ambient"),
    "brass": ("brass", "horn", "trumpet"),
    "organ": ("organ", "风琴"),
    "choir": ("choir", "合唱"),
    "flute": ("flute", "长笛"),
    "harp": ("harp", "竖琴"),
}
_SLOW = ("slow", "slowly", "慢")
_FAST = ("fast", "quick", "energetic", "快")
_NO_MUSIC = ("no music", "none", "silence", "无音乐", "不要音乐")


def _words(text: str) -> str:
    return " " + re.sub(r"[^\w\u4e00-\u9fff-]+", " ", text.lower()) + " "


def _has(text: str, word: str) -> bool:
    if re.search(r"[\u4e00-\u9fff]", word):
        return word in text
    return f" {word} " in text


def _find(text: str, table: dict[str, tuple[str, ...]]) -> list[tuple[int, str, str]]:
    hits = []
    for key, words in table.items():
        for w in words:
            if _has(text, w):
                pos = text.find(w)
                hits.append((pos, key, w))
    return sorted(hits)


class Look(Protocol):
    """The picture measures bed choice reads (a whole clip or one scene)."""

    @property
    def brightness(self) -> float: ...
    @property
    def saturation(self) -> float: ...
    @property
    def warmth(self) -> float: ...
    @property
    def flicker(self) -> float: ...
    @property
    def sky_blue(self) -> float: ...
    @property
    def green(self) -> float: ...


def beds_for_picture(look: Look) -> tuple[str, ...]:
    """Outdoor sky/greenery → air (and birds), restless fine motion → water, warm dark → fire, else a room."""
    if look.flicker > 0.2 and look.sky_blue < 0.3:
        return ("water",)
    if look.sky_blue > 0.25 or look.green > 0.2:
        return ("wind", "birds") if look.green > 0.12 and look.brightness > 0.35 else ("wind",)
    if look.warmth > 0.35 and look.saturation > 0.15 and look.brightness < 0.45:
        return ("fire",)
    return ("room",)


def plan_sound(prompt: str, video: VideoAnalysis, asmr: bool = False) -> SoundPlan:
    """Choose impact voice, beds and whooshes from the prompt first, the picture second."""
    text = _words(prompt or "")
    impacts = _find(text, _IMPACT_WORDS)
    beds_found = _find(text, _BED_WORDS)
    matched = [w for _, _, w in impacts + beds_found]
    impact = impacts[0][1] if impacts else ("tap" if asmr else "knock")
    beds: list[str] = []
    for _, key, _w in beds_found:
        if key not in beds:
            beds.append(key)
    scene_beds: tuple[tuple[str, ...], ...] = ()
    if not beds:  # the picture decides, shot by shot
        looks: list[Look] = list(video.scenes) if video.scenes else [video]
        scene_beds = tuple(beds_for_picture(sc) for sc in looks)
        for sb in scene_beds:
            beds.extend(k for k in sb if k not in beds)
    whoosh = any(_has(text, w) for w in _WHOOSH_WORDS) or float(video.camera_speed.max(initial=0.0)) > 0.6
    if any(_has(text, w) for w in _WHOOSH_WORDS):
        matched.append("whoosh")
    return SoundPlan(
        impact=impact,
        beds=tuple(beds[:3]),
        scene_beds=scene_beds,
        whoosh=whoosh,
        movement=1.4 if asmr else 1.0,
        matched=tuple(matched),
    )


def plan_music(prompt: str, video: VideoAnalysis, asmr: bool = False) -> MusicPlan:  # noqa: C901 -- one branch per mood rule
    """Mood/genre words → key, tempo, instruments, progression; no prompt → a soft bed or nothing."""
    text = _words(prompt or "")
    if any(_has(text, w) for w in _NO_MUSIC):
        return MusicPlan(False, "none", 60, False, 90, (), (0,), "none", -99.0)
    moods = _find(text, _MOOD_WORDS)
    prompted = bool(prompt and prompt.strip())
    if moods:
        mood = moods[0][1]
    elif prompted:
        mood = "calm" if video.brightness > 0.35 else "tense"
    else:
        # unprompted: a soft bed under a calm picture, nothing when the picture is busy (effects carry it)
        if video.busy > 0.6 or asmr:
            return MusicPlan(False, "none", 60, False, 90, (), (0,), "none", -99.0)
        mood = "calm"
    spec = _MOODS[mood]
    root = spec.root
    minor = spec.minor
    if not moods:
        minor = video.brightness < 0.35 or video.warmth < -0.25
    # a warmer/brighter picture nudges the key up a little (same mood, lighter colour)
    root += round(np.clip(video.warmth, -1, 1) * 2) if not moods else 0
    tempo = spec.tempo
    if any(_has(text, w) for w in _SLOW):
        tempo *= 0.8
    if any(_has(text, w) for w in _FAST):
        tempo *= 1.2
    inst = list(spec.inst)
    for key, words in _INSTRUMENT_WORDS.items():
        if any(_has(text, w) for w in words) and key not in inst:
            inst.insert(0, key)
    level = -8.0 if prompted else -13.0
    if asmr:
        level -= 8.0
    return MusicPlan(
        True, mood, root, minor, tempo, tuple(inst[:4]), spec.prog, spec.drums if prompted else "none", level
    )


@dataclass(frozen=True)
class PromptWords:
    """What a prompt names on its own, with no picture to fall back on (text to audio reads this)."""

    impacts: tuple[str, ...]  # impact voices, first named first
    beds: tuple[str, ...]  # ambiences, first named first
    whoosh: bool
    music: tuple[str, ...]  # mood and instrument words

    @property
    def names_sound(self) -> bool:
        return bool(self.impacts or self.beds or self.whoosh)


def words_in(prompt: str) -> PromptWords:
    """The effect, ambience and music words of ``prompt``, from the same tables as :func:`plan_sound` and
    :func:`plan_music`, without deciding anything the words leave open."""
    text = _words(prompt or "")

    def keys(table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(key for _, key, _w in _find(text, table)))

    music = tuple(w for _, _, w in _find(text, {**_MOOD_WORDS, **_INSTRUMENT_WORDS}))
    return PromptWords(
        impacts=keys(_IMPACT_WORDS),
        beds=keys(_BED_WORDS),
        whoosh=any(_has(text, w) for w in _WHOOSH_WORDS),
        music=music,
    )


#: Words that ask for music in a *video* prompt. A video prompt describes a picture, so mood words alone
#: ("dark", "soft light", "bright") are not a request for music; these are: the word music itself, genres
#: that name nothing else, and instruments that are not also an effect word ("bell" is a metal impact).
MUSIC_CUES = (
    "music",
    "musical",
    "song",
    "melody",
    "tune",
    "soundtrack",
    "bgm",
    "piano",
    "violin",
    "cello",
    "guitar",
    "trumpet",
    "synthesizer",
    "music box",
    "orchestra",
    "orchestral",
    "jazz",
    "edm",
    "techno",
    "lofi",
    "lo-fi",
    "hiphop",
    "hip-hop",
    "音乐",
    "配乐",
    "歌",
    "旋律",
    "钢琴",
    "小提琴",
    "吉他",
    "爵士",
)


def split_video_prompt(prompt: str) -> tuple[str, str]:
    """A video prompt → (``sound_effect_prompt``, ``bgm_prompt``) for scoring that video (native audio).

    The effect prompt is the prompt's impact, ambience and whoosh words, in the prompt's order. The music
    prompt is its mood and instrument words when it asks for music (:data:`MUSIC_CUES`; "music" alone when
    no mood is named), "no music" when it names sounds but no music or says "no music", and empty when it
    names nothing the tables know, so the picture decides both, as video-to-audio does with empty prompts.
    """
    text = _words(prompt or "")
    effects = _find(text, _IMPACT_WORDS) + _find(text, _BED_WORDS) + _find(text, {"whoosh": _WHOOSH_WORDS})
    sound = " ".join(dict.fromkeys(w for _, _, w in sorted(effects)))
    if any(_has(text, w) for w in _NO_MUSIC if w != "silence"):  # "silence" there is a quiet room
        return sound, "no music"
    if any(_has(text, w) for w in MUSIC_CUES):
        return sound, " ".join(dict.fromkeys(words_in(prompt).music)) or "music"
    return sound, ("no music" if sound else "")

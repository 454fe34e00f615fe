"""Media format by content (magic bytes), never by file name or Content-Type.

URLs and base64 strings carry no trustworthy name: a PNG saved as ``.jpg`` is fine, a text file called
``photo.png`` is not. The first few hundred bytes are enough for every format kinema accepts.
"""

from __future__ import annotations

#: How many leading bytes :func:`sniff` wants to see (ID3 tags and EBML headers can push the tell-tale
#: bytes a little further in; more is harmless).
SNIFF_BYTES = 4096

_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_MOV_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _mpeg_audio_frame(head: bytes, at: int = 0) -> bool:
    """An MPEG-1/2/2.5 layer I–III frame header (the frame sync of MP3 without an ID3 tag)."""
    if len(head) < at + 4 or head[at] != 0xFF or head[at + 1] & 0xE0 != 0xE0:
        return False
    version = (head[at + 1] >> 3) & 0x03
    layer = (head[at + 1] >> 1) & 0x03
    bitrate = head[at + 2] >> 4
    rate = (head[at + 2] >> 2) & 0x03
    return version != 0x01 and layer != 0x00 and bitrate not in (0x00, 0x0F) and rate != 0x03


def _adts_frame(head: bytes, at: int = 0) -> bool:
    """An ADTS (raw AAC) frame header: 12-bit sync, layer bits 00, valid sampling index."""
    if len(head) < at + 7 or head[at] != 0xFF or head[at + 1] & 0xF6 != 0xF0:
        return False
    return (head[at + 2] >> 2) & 0x0F < 13


def _iso_bmff(head: bytes) -> str | None:
    """MP4 family by brand: M4A audio, QuickTime, HEIF/AVIF stills, else a generic mp4."""
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    brands = {major}
    end = min(len(head), size if 16 <= size <= 4096 else 64)
    for i in range(16, end - 3, 4):
        brands.add(head[i : i + 4])
    if major in _M4A_BRANDS:
        return "m4a"
    if major == b"qt  ":
        return "mov"
    if major in (b"avif", b"avis"):
        return "avif"
    if major in _HEIF_BRANDS:
        return "heic"
    if major.startswith(b"3g"):
        return "3gp"
    if brands & _M4A_BRANDS and not brands - _M4A_BRANDS - {b"isom", b"mp42", b"mp41", b"iso2", b"\0\0\0\0"}:
        return "m4a"
    return "mp4"


def sniff(head: bytes) -> str | None:  # noqa: C901 -- one test per container signature, in order
    """The format of a file from its first bytes, or ``None`` when unknown.

    Returns one of ``jpeg png webp gif bmp tiff avif heic mp3 wav aac m4a ogg flac mp4 mov 3gp webm mkv avi``.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] in (b"RIFF", b"RF64", b"BW64") and len(head) >= 12:
        kind = head[8:12]
        if kind == b"WEBP":
            return "webp"
        if kind == b"WAVE":
            return "wav"
        if kind == b"AVI ":
            return "avi"
        return None
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"BM") and len(head) >= 14 and int.from_bytes(head[6:10], "little") == 0:
        return "bmp"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_bmff(head)
    if len(head) >= 8 and head[4:8] in _MOV_ATOMS:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3") and len(head) >= 10:
        # Skip the tag (syncsafe size) and look at the first frame: usually MP3, sometimes ADTS AAC.
        size = 10 + (
            (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
        )
        if head[5] & 0x10:
            size += 10  # footer present
        if _adts_frame(head, size):
            return "aac"
        return "mp3"
    if _adts_frame(head):
        return "aac"
    if _mpeg_audio_frame(head):
        return "mp3"
    return None


#: File extension kinema writes for each sniffed format.
EXTENSIONS: dict[str, str] = {
    "jpeg": "jpg",
    "png": "png",
    "webp": "webp",
    "gif": "gif",
    "bmp": "bmp",
    "tiff": "tif",
    "avif": "avif",
    "heic": "heic",
    "mp3": "mp3",
    "wav": "wav",
    "aac": "aac",
    "m4a": "m4a",
    "ogg": "ogg",
    "flac": "flac",
    "mp4": "mp4",
    "mov": "mov",
    "3gp": "3gp",
    "webm": "webm",
    "mkv": "mkv",
    "avi": "avi",
}

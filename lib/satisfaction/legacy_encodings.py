"""Codecs for the legacy Vietnamese encodings that Python lacks: TCVN3 (ABC) and VNI.

Offices that still type with the old font-based encodings produce bytes that no Python codec
reads: TCVN3 (the ``.VnTime`` "ABC" fonts, TCVN 5712:1993 VN3) and VNI (the ``VNI-Times``
fonts, VNI-Windows). This module decodes and encodes them by hand, and adds the Windows-1258
helpers the reader needs (Python has ``cp1258``, but Windows writes most toned letters as a
base letter plus a combining tone mark, which must be recomposed to NFC). Everything returned
is Unicode NFC.

Not for: detecting which encoding a file uses, or reading files (see :mod:`satisfaction.io`).

Sources of the tables (checked against each other):

* TCVN3: the TCVN 5712:1993 table of XFree86/X.Org X-TrueType
  ``xc/extras/X-TrueType/TCVN/TCVNtoUCS2.c`` (T. Shiozaki, P. Saratxaga, after Nguyen-Dai Quy;
  as mirrored in ``apple-open-source/macos``), and the TCVN table of the xvnkb Vietnamese
  keyboard ``tcvn.h`` (Dao Hai Lam, VISC, 2002; ``github.com/lamdao/xvnkb``). The two agree
  on every lower-case letter and on the capitals Ă Â Ê Ô Ơ Ư Đ (bytes 0xA1-0xFF).
* VNI: the VNI-Windows table of xvnkb ``vni.h`` (same author): a letter is its ASCII base
  followed by one modifier byte (``a`` + 0xF9 = á; ``a`` + 0xE1 = ấ), except ơ ư đ, the
  toned i's and ỵ, which are single bytes; capitals use the modifier byte minus 0x20.
  Cross-checked with the example of ``duydev/vietnamese-conversion``
  ("Xin chào các bạn" -> ``Xin chaøo caùc baïn`` read as Windows-1252).

Choices where the sources are silent or the fonts differ:

* TCVN3 bytes 0x00-0x7F are ASCII (VN3 fonts do not use the control range for capitals the way
  TCVN 5712 VN1 does), bytes 0x80-0x9F are Windows-1252 punctuation (curly quotes, dashes:
  the ``.VnTime`` fonts keep them), 0xA0 is a no-break space. The VN1 positions in 0xA0-0xFF
  that VN3 leaves to other glyphs (capitals with tones in gaps of the lower-case range, and
  the five combining tone marks 0xB0-0xB4) are decoded as VN1 defines them.
* TCVN3 has no code for most capitals with a tone mark (``Ấ``): in ABC fonts those were typed
  with the lower-case codes in the all-capitals ``.VnTimeH`` font, so the case is lost.
  :func:`encode_tcvn3` raises on them, or writes the lower-case code with
  ``errors="lowercase"``; :func:`decode_tcvn3` cannot restore the case.
* VNI bytes 0x80-0xBF are Windows-1252; a modifier byte after the wrong case of base letter
  (``A`` + 0xF9) is read with the case of the base letter. A modifier byte with no base
  letter before it, and bytes VNI does not use, are decoding errors.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

__all__ = [
    "VIETNAMESE_LETTERS",
    "decode",
    "decode_cp1258",
    "decode_tcvn3",
    "decode_vni",
    "encode",
    "encode_cp1258",
    "encode_tcvn3",
    "encode_vni",
    "is_vietnamese_syllable",
    "repair_font_text",
    "vietnamese_score",
]

_TONE_MARKS = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng
_BASES = "aăâeêioôơuưy"


def _letters() -> tuple[str, ...]:
    out = []
    for base in _BASES + _BASES.upper():
        out.append(base)
        out.extend(unicodedata.normalize("NFC", base + t) for t in _TONE_MARKS)
    out += ["đ", "Đ"]
    return tuple(ch for ch in out if not ch.isascii())


VIETNAMESE_LETTERS: tuple[str, ...] = _letters()
"""The 134 precomposed Vietnamese letters that are not ASCII (vowels with marks, đ, Đ)."""

# --------------------------------------------------------------------------------------------
# how Vietnamese a text looks (used to tell the legacy encodings apart)

_INITIAL = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|q|r|s|t|v|x)?"
# Vietnamese rhymes: nucleus -> (permitted finals, whether a final is required). k is accepted
# like c for place names from minority languages (Đắk Lắk). "-" means no final.
_RHYMES: dict[str, tuple[str, bool]] = {
    "a": ("c ch k m n ng nh p t", False),
    "ă": ("c k m n ng p t", True),
    "â": ("c m n ng p t", True),
    "e": ("c m n ng p t", False),
    "ê": ("ch m n nh p t", False),
    "i": ("ch m n nh p t", False),
    "o": ("c m n ng p t", False),
    "ô": ("c m n ng p t", False),
    "ơ": ("m n p t", False),
    "u": ("c m n ng p t", False),
    "ư": ("c m n ng t", False),
    "y": ("nh", False),
    "oa": ("c ch m n ng nh p t", False),
    "oă": ("c m n ng t", True),
    "oe": ("n t", False),
    "oo": ("c ng", True),
    "uâ": ("n ng t", True),
    "uê": ("ch n nh t", False),
    "uy": ("ch n nh t", False),
    "uô": ("c m n ng t", True),
    "ươ": ("c m n ng p t", True),
    "iê": ("c m n ng p t", True),
    "yê": ("m n ng t", True),
    "uyê": ("n t", True),
}
_OPEN_ONLY = [
    *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi"),
    *("ua", "ui", "ưa", "ưi", "ưu", "iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi"),
    *("ươi", "ươu", "uya", "uyu"),
]


def _rhyme_pattern() -> str:
    alts = []
    for nucleus, (finals, required) in _RHYMES.items():
        fin = "|".join(sorted(finals.split(), key=len, reverse=True))
        alts.append(f"{nucleus}(?P<f_{len(alts)}>{fin}){'' if required else '?'}")
    alts.extend(_OPEN_ONLY)
    # longest nuclei first so that "uyên" is not read as u + "yên"
    alts.sort(key=lambda a: len(a.split("(")[0]), reverse=True)
    return "|".join(alts)


_SYLLABLE = re.compile(f"^{_INITIAL}(?:{_rhyme_pattern()})$")
_TONE_SET = frozenset(_TONE_MARKS)
_STOP_FINALS = frozenset({"c", "ch", "k", "p", "t"})
_STOP_TONES = frozenset({"\u0301", "\u0323"})  # after -c -ch -p -t only sắc or nặng
# split on white space, digits, ASCII punctuation and typographic punctuation, but not on the
# Latin-1 symbols (« ¸ µ ...) that a wrongly decoded legacy text is full of
_WORD_SPLIT = re.compile(r"[\s0-9!-/:-@\[-`{-~\u2010-\u2027]+")


def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` is a well-formed Vietnamese syllable.

    Well-formed: lower case, Capitalised or ALL CAPS; an optional initial consonant from the
    Vietnamese set; a rhyme from the Vietnamese set (a vowel nucleus with a final consonant
    the nucleus permits, e.g. ``-nh`` after ``a ê i y oa uê uy`` only, and no final after
    ``ai ao ... ươu``); at most one tone mark, and after a final ``-c -ch -p -t`` only the
    sắc or nặng tone.

    Examples:
        >>> [is_vietnamese_syllable(w) for w in ("Thừa", "nghiêng", "Huế", "Nguyễn", "Đắk")]
        [True, True, True, True, True]
        >>> [is_vietnamese_syllable(w) for w in ("C«ng", "Coâng", "tiềnh", "sỏt", "hỔi")]
        [False, False, False, False, False]
    """
    if not (word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [ch for ch in decomposed if ch in _TONE_SET]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_SET))
    m = _SYLLABLE.match(bare)
    if m is None:
        return False
    final = next((v for v in m.groupdict().values() if v), "")
    return not (final in _STOP_FINALS and tones and tones[0] not in _STOP_TONES) and not (
        final in _STOP_FINALS and not tones
    )


def vietnamese_score(text: str) -> float:
    """How Vietnamese a decoded text looks: the share of its non-ASCII words that are syllables.

    Words are split on white space, digits, ASCII and typographic punctuation (not on Latin-1
    symbols, so ``C«ng`` stays one word). Only words holding a non-ASCII character count; each
    passes if :func:`is_vietnamese_syllable`. Text decoded with the wrong table is full of
    words such as ``C«ng``, ``Coâng`` or ``tiồnh`` that fail.

    Args:
        text: decoded text.

    Returns:
        A share in [0, 1]; 0.0 if no word holds a non-ASCII character.

    Examples:
        >>> vietnamese_score("Công an tỉnh Hà Giang; Rất hài lòng")
        1.0
        >>> vietnamese_score("C«ng an tØnh Hµ Giang")
        0.0
        >>> vietnamese_score("Coâng an tænh Haø Giang")
        0.0
    """
    counts = Counter(w for w in _WORD_SPLIT.split(unicodedata.normalize("NFC", text)) if w)
    total = ok = 0
    for word, n in counts.items():
        if word.isascii():
            continue
        total += n
        ok += n * is_vietnamese_syllable(word)
    return ok / total if total else 0.0


# --------------------------------------------------------------------------------------------
# TCVN3 (ABC)

# TCVN 5712:1993 positions 0xA0-0xFF (X-TrueType TCVNtoUCS2.c; 0xA0 is a no-break space here).
_TCVN_HIGH = [
    0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110,
    0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0,
    0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3,
    0x00E1, 0x1EA1, 0x1EB2, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4,
    0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7,
    0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD,
    0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC,
    0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2,
    0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7,
    0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9,
    0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF,
    0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0,
]  # fmt: skip


def _cp1252_char(b: int) -> str | None:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return None


def _tcvn3_tables() -> tuple[str, object, dict[int, int]]:
    chars = [chr(b) for b in range(0x80)]
    chars += [_cp1252_char(b) or "\ufffe" for b in range(0x80, 0xA0)]
    chars += [chr(cp) for cp in _TCVN_HIGH]
    decoding = "".join(chars)
    # The encoder writes only what ABC fonts show: no capital with a tone mark.
    writable = "".join(
        "\ufffe" if b >= 0xA0 and ch.isupper() and ch not in "ĂÂÊÔƠƯĐ" else ch
        for b, ch in enumerate(chars)
    )
    toned_capitals = {
        ord(ch): ord(ch.lower())
        for ch in VIETNAMESE_LETTERS
        if ch.isupper() and ch not in "ĂÂÊÔƠƯĐ"
    }
    return decoding, codecs.charmap_build(writable), toned_capitals


_TCVN3_DECODING, _TCVN3_ENCODING, _TCVN3_LOWER = _tcvn3_tables()


def decode_tcvn3(data: bytes) -> str:
    """Decode TCVN3 (ABC) bytes to NFC text.

    Args:
        data: the bytes.

    Returns:
        NFC text.

    Raises:
        UnicodeDecodeError: a byte the encoding does not use (0x81, 0x8D, 0x8F, 0x90, 0x9D).

    Examples:
        >>> decode_tcvn3(b"C\\xabng an t\\xd8nh H\\xb5 Giang")
        'Công an tỉnh Hà Giang'
        >>> decode_tcvn3(b"M\\xad\\xeang Kh\\xad\\xacng")
        'Mường Khương'
    """
    text, _ = codecs.charmap_decode(bytes(data), "strict", _TCVN3_DECODING)
    return unicodedata.normalize("NFC", text)


def encode_tcvn3(text: str, errors: str = "strict") -> bytes:
    """Encode text (normalised to NFC first) as TCVN3 (ABC) bytes.

    Args:
        text: the text.
        errors: ``"strict"`` raises on a character TCVN3 cannot write; ``"lowercase"``
            writes a capital with a tone mark as its lower-case code (as the all-capitals
            ``.VnTimeH`` fonts expect) and still raises on anything else.

    Returns:
        The bytes.

    Raises:
        UnicodeEncodeError: a character TCVN3 cannot write (e.g. ``Ấ`` when strict, ``€``).

    Examples:
        >>> encode_tcvn3("Rất hài lòng")
        b'R\\xcat h\\xb5i l\\xdfng'
        >>> encode_tcvn3("ẤP", errors="lowercase")
        b'\\xcaP'
    """
    if errors not in ("strict", "lowercase"):
        raise ValueError(f"errors must be 'strict' or 'lowercase', not {errors!r}")
    nfc = unicodedata.normalize("NFC", text)
    if errors == "lowercase":
        nfc = nfc.translate(_TCVN3_LOWER)
    try:
        return codecs.charmap_encode(nfc, "strict", _TCVN3_ENCODING)[0]
    except UnicodeEncodeError as exc:
        ch = nfc[exc.start]
        hint = (
            " (TCVN3 has no capitals with tone marks; errors='lowercase' writes the "
            "lower-case code)"
            if ch.isupper()
            else ""
        )
        raise UnicodeEncodeError(
            "tcvn3", nfc, exc.start, exc.start + 1, f"cannot encode {ch!r}{hint}"
        ) from None


# --------------------------------------------------------------------------------------------
# VNI (VNI-Windows)

# modifier bytes (lower-case forms; capitals are 0x20 less), in the order of _TONE_MARKS
_VNI_TONE = (0xF9, 0xF8, 0xFB, 0xF5, 0xEF)  # ù ø û õ ï
_VNI_CIRC = (0xE1, 0xE0, 0xE5, 0xE3, 0xE4)  # á à å ã ä, bare circumflex â (0xE2)
_VNI_BREVE = (0xE9, 0xE8, 0xFA, 0xFC, 0xEB)  # é è ú ü ë, bare breve ê (0xEA)
_VNI_I = (0xED, 0xEC, 0xE6, 0xF3, 0xF2)  # í ì æ ó ò: the toned i's are single bytes
_VNI_SINGLE = {"ơ": 0xF4, "ư": 0xF6, "đ": 0xF1, "ỵ": 0xEE}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _vni_tables() -> dict[str, bytes]:
    """Letter -> VNI bytes, for the 134 Vietnamese letters."""
    enc: dict[str, bytes] = {}
    for upper in (False, True):
        shift = 0x20 if upper else 0

        def c(s: str, upper: bool = upper) -> str:
            return s.upper() if upper else s

        def m(b: int, shift: int = shift) -> bytes:
            return bytes([b - shift])

        for base in "aeouy":
            for tone, mb in zip(_TONE_MARKS, _VNI_TONE, strict=True):
                enc[c(_nfc(base + tone))] = c(base).encode() + m(mb)
        for base, mark in (("a", "\u0302"), ("e", "\u0302"), ("o", "\u0302")):
            enc[c(_nfc(base + mark))] = c(base).encode() + m(0xE2)
            for tone, mb in zip(_TONE_MARKS, _VNI_CIRC, strict=True):
                enc[c(_nfc(base + mark + tone))] = c(base).encode() + m(mb)
        enc[c("ă")] = c("a").encode() + m(0xEA)
        for tone, mb in zip(_TONE_MARKS, _VNI_BREVE, strict=True):
            enc[c(_nfc("ă" + tone))] = c("a").encode() + m(mb)
        for tone, mb in zip(_TONE_MARKS, _VNI_I, strict=True):
            enc[c(_nfc("i" + tone))] = m(mb)
        for letter, b in _VNI_SINGLE.items():
            enc[c(letter)] = m(b)
        for letter in ("ơ", "ư"):
            for tone, mb in zip(_TONE_MARKS, _VNI_TONE, strict=True):
                enc[c(_nfc(letter + tone))] = m(_VNI_SINGLE[letter]) + m(mb)
    return enc


_VNI_ENCODING = _vni_tables()


def _vni_decoding() -> dict[int, str]:
    """Byte -> text: modifier bytes become combining marks that NFC then composes."""
    table: dict[int, str] = {b: chr(b) for b in range(0x80)}
    for b in range(0x80, 0xC0):
        ch = _cp1252_char(b)
        if ch is not None:
            table[b] = ch
    marks = {
        _VNI_TONE: [t for t in _TONE_MARKS],
        _VNI_CIRC: ["\u0302" + t for t in _TONE_MARKS],
        _VNI_BREVE: ["\u0306" + t for t in _TONE_MARKS],
    }
    for group, texts in marks.items():
        for b, t in zip(group, texts, strict=True):
            table[b] = table[b - 0x20] = t
    table[0xE2] = table[0xC2] = "\u0302"  # circumflex
    table[0xEA] = table[0xCA] = "\u0306"  # breve
    for b, t in zip(_VNI_I, _TONE_MARKS, strict=True):
        table[b] = _nfc("i" + t)
        table[b - 0x20] = _nfc("I" + t)
    for letter, b in _VNI_SINGLE.items():
        table[b] = letter
        table[b - 0x20] = letter.upper()
    return table


_VNI_DECODING = _vni_decoding()
_VNI_PUNCT = "".join(ch for b, ch in _VNI_DECODING.items() if 0x80 <= b < 0xC0)
# after decoding and NFC, only ASCII, the Windows-1252 punctuation and Vietnamese letters remain
_VNI_LEFTOVER = re.compile(
    "[^\x00-\x7f" + re.escape(_VNI_PUNCT + "".join(VIETNAMESE_LETTERS)) + "]"
)
_VNI_ENC_TABLE: dict[int, str] = {
    ord(letter): b.decode("latin-1") for letter, b in _VNI_ENCODING.items()
}
_VNI_ENC_TABLE.update({ord(ch): chr(b) for b, ch in _VNI_DECODING.items() if 0x80 <= b < 0xC0})


def decode_vni(data: bytes) -> str:
    """Decode VNI (VNI-Windows) bytes to NFC text.

    Args:
        data: the bytes.

    Returns:
        NFC text.

    Raises:
        UnicodeDecodeError: a modifier byte with no base letter it can go on, or a byte VNI
            does not use.

    Examples:
        >>> decode_vni("Xin chaøo caùc baïn".encode("cp1252"))
        'Xin chào các bạn'
        >>> decode_vni(b"Co\\xe2ng an t\\xe6nh H\\xf6\\xf9ng")
        'Công an tỉnh Hứng'
    """
    data = bytes(data)
    text = _nfc(codecs.charmap_decode(data, "strict", _VNI_DECODING)[0])
    bad = _VNI_LEFTOVER.search(text)
    if bad is not None:
        i = bad.start()
        context = text[max(0, i - 12) : i + 12]
        raise UnicodeDecodeError(
            "vni", data, 0, len(data),
            f"a modifier byte with no letter to go on, near {context!r}",
        )  # fmt: skip
    return text


def encode_vni(text: str) -> bytes:
    """Encode text (normalised to NFC first) as VNI (VNI-Windows) bytes.

    Args:
        text: the text.

    Returns:
        The bytes.

    Raises:
        UnicodeEncodeError: a character VNI cannot write.

    Examples:
        >>> encode_vni("Công an tỉnh")
        b'Co\\xe2ng an t\\xe6nh'
        >>> encode_vni("Thừa Thiên Huế").decode("cp1252")
        'Thöøa Thieân Hueá'
    """
    nfc = _nfc(text)
    bad = _VNI_LEFTOVER.search(nfc)
    if bad is not None:
        i = bad.start()
        raise UnicodeEncodeError("vni", nfc, i, i + 1, f"cannot encode {nfc[i]!r}")
    return nfc.translate(_VNI_ENC_TABLE).encode("latin-1")


# --------------------------------------------------------------------------------------------
# Windows-1258

_CP1258_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _cp1258_split() -> dict[int, str]:
    """Letters Windows-1258 lacks precomposed -> base letter + combining tone mark."""
    table = {}
    for ch in VIETNAMESE_LETTERS:
        try:
            ch.encode("cp1258")
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            base = _nfc("".join(c for c in nfd if c not in _CP1258_TONES))
            table[ord(ch)] = base + "".join(c for c in nfd if c in _CP1258_TONES)
    return table


_CP1258_SPLIT = _cp1258_split()


def decode_cp1258(data: bytes) -> str:
    """Decode Windows-1258 bytes and recompose base letters and tone marks to NFC.

    Examples:
        >>> decode_cp1258(b"ti\\xd2nh") == "tỉnh"
        True
    """
    return _nfc(bytes(data).decode("cp1258"))


def encode_cp1258(text: str) -> bytes:
    """Encode text as Windows-1258 the way Windows does: a letter that the code page holds
    precomposed is one byte; any other toned letter is its base letter (which may carry a
    circumflex, breve or horn) followed by a combining tone mark.

    Args:
        text: the text.

    Returns:
        The bytes.

    Raises:
        UnicodeEncodeError: a character Windows-1258 cannot write.

    Examples:
        >>> encode_cp1258("Rất hài lòng")
        b'R\\xe2\\xect h\\xe0i lo\\xccng'
    """
    nfc = _nfc(text)
    try:
        return nfc.translate(_CP1258_SPLIT).encode("cp1258")
    except UnicodeEncodeError:
        i = next(i for i, ch in enumerate(nfc) if not _cp1258_ok(ch))
        raise UnicodeEncodeError("cp1258", nfc, i, i + 1, f"cannot encode {nfc[i]!r}") from None


def _cp1258_ok(ch: str) -> bool:
    try:
        ch.translate(_CP1258_SPLIT).encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# dispatch and legacy-font text stored as Unicode


def decode(data: bytes, encoding: str) -> str:
    """Decode with ``tcvn3``, ``vni`` or ``cp1258`` (recomposed), returning NFC text.

    Examples:
        >>> decode(b"R\\xcat h\\xb5i l\\xdfng", "tcvn3")
        'Rất hài lòng'
    """
    if encoding == "tcvn3":
        return decode_tcvn3(data)
    if encoding == "vni":
        return decode_vni(data)
    if encoding == "cp1258":
        return decode_cp1258(data)
    raise ValueError(f"not a legacy encoding: {encoding!r}")


def encode(text: str, encoding: str) -> bytes:
    """Encode with ``tcvn3``, ``vni`` or ``cp1258`` (strict).

    Examples:
        >>> decode(encode("Thừa Thiên Huế", "vni"), "vni")
        'Thừa Thiên Huế'
    """
    if encoding == "tcvn3":
        return encode_tcvn3(text)
    if encoding == "vni":
        return encode_vni(text)
    if encoding == "cp1258":
        return encode_cp1258(text)
    raise ValueError(f"not a legacy encoding: {encoding!r}")


def _as_font_bytes(text: str) -> bytes | None:
    """The bytes a legacy font would have received, read back through Windows-1252."""
    out = bytearray()
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            out.append(o)
            continue
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if 0x80 <= o <= 0x9F:  # an undefined cp1252 byte passed through as a C1 control
                out.append(o)
            else:
                return None
    return bytes(out)


def repair_font_text(text: str, encoding: str) -> str:
    """Re-read text typed with a TCVN3 or VNI font but stored as Unicode (Excel, SPSS).

    A cell typed in ``.VnTime`` reads ``C«ng an tØnh`` in Unicode: its characters are the
    Windows-1252 readings of the font's bytes. Mapping them back to bytes and decoding gives
    the Vietnamese text. Text that holds characters Windows-1252 cannot produce (so it is
    already proper Unicode), whose bytes do not decode, or whose reading is not more Vietnamese
    by :func:`vietnamese_score` than the text as it stands, is returned unchanged (NFC).

    Args:
        text: the cell.
        encoding: ``tcvn3`` or ``vni``.

    Returns:
        The repaired text, NFC.

    Examples:
        >>> repair_font_text("C«ng an tØnh Hµ Giang", "tcvn3")
        'Công an tỉnh Hà Giang'
        >>> repair_font_text("Coâng an tænh", "vni")
        'Công an tỉnh'
        >>> repair_font_text("Công an tỉnh", "tcvn3"), repair_font_text("Công an", "tcvn3")
        ('Công an tỉnh', 'Công an')
    """
    nfc = _nfc(text)
    raw = _as_font_bytes(nfc)
    if raw is None or raw.isascii():
        return nfc
    try:
        repaired = decode(raw, encoding)
    except UnicodeDecodeError:
        return nfc
    # Proper Unicode made only of Latin-1 letters ("Công") must not be "repaired" ("Cụng").
    return repaired if vietnamese_score(repaired) > vietnamese_score(nfc) else nfc

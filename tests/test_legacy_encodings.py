"""Tests of satisfaction.legacy_encodings against tables transcribed from independent sources.

The reference tables below are copied from the xvnkb keyboard sources (Dao Hai Lam, VISC, 2002,
github.com/lamdao/xvnkb, files ``vni.h`` and ``tcvn.h``), which list every Vietnamese letter
in the order  A Á À Ả Ã Ạ / Â Ấ Ầ Ẩ Ẫ Ậ / Ă Ắ Ằ Ẳ Ẵ Ặ / E ... / Ê ... / O ... / Ô ... / Ơ ... /
U ... / Ư ... / I ... / Y ... / Đ. The module itself builds its TCVN3 table from the X.Org
X-TrueType TCVN table and its VNI table from the modifier-byte rule, so these are independent
checks. ``vni.h`` shows its bytes as Windows-1252 text; ``tcvn.h`` as Windows-1254 text
(hence ``Ğ``, ``İ``, ``Ş``, ``ı``, ``ş``), with the soft hyphen 0xAD written here as ``\\xad``.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satisfaction import legacy_encodings as le

TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]  # none, sắc, huyền, hỏi, ngã, nặng
ORDER = ["a", "â", "ă", "e", "ê", "o", "ô", "ơ", "u", "ư", "i", "y"]


def cells(table: str) -> list[str]:
    """The cells of a reference table transcribed as space-separated text."""
    return table.split()


def letters_in_reference_order(upper: bool) -> list[str]:
    out = []
    for base in ORDER:
        for tone in TONES:
            ch = unicodedata.normalize("NFC", base + tone)
            out.append(ch.upper() if upper else ch)
    out.append("Đ" if upper else "đ")
    return out


# xvnkb vni.h, upper-case block then lower-case block (Windows-1252 rendering of the bytes)
VNI_UPPER = cells(
    "A AÙ AØ AÛ AÕ AÏ  AÂ AÁ AÀ AÅ AÃ AÄ  AÊ AÉ AÈ AÚ AÜ AË  E EÙ EØ EÛ EÕ EÏ  "
    "EÂ EÁ EÀ EÅ EÃ EÄ  O OÙ OØ OÛ OÕ OÏ  OÂ OÁ OÀ OÅ OÃ OÄ  Ô ÔÙ ÔØ ÔÛ ÔÕ ÔÏ  "
    "U UÙ UØ UÛ UÕ UÏ  Ö ÖÙ ÖØ ÖÛ ÖÕ ÖÏ  I Í Ì Æ Ó Ò  Y YÙ YØ YÛ YÕ Î  Ñ"
)
VNI_LOWER = cells(
    "a aù aø aû aõ aï  aâ aá aà aå aã aä  aê aé aè aú aü aë  e eù eø eû eõ eï  "
    "eâ eá eà eå eã eä  o où oø oû oõ oï  oâ oá oà oå oã oä  ô ôù ôø ôû ôõ ôï  "
    "u uù uø uû uõ uï  ö öù öø öû öõ öï  i í ì æ ó ò  y yù yø yû yõ î  ñ"
)

# xvnkb tcvn.h, lower-case block (Windows-1254 rendering of the bytes)
TCVN3_LOWER = cells(
    "a ¸ µ ¶ · ¹  © Ê Ç È É Ë  ¨ ¾ » ¼ ½ Æ  e Ğ Ì Î Ï Ñ  ª Õ Ò Ó Ô Ö  o ã ß á â ä  "
    "« è å æ ç é  ¬ í ê ë ì î  u ó ï ñ ò ô  \xad ø õ ö ÷ ù  i İ × Ø Ü Ş  y ı ú û ü ş  ®"
)
# the capitals without tone marks that TCVN3 (ABC) has: Â Ă Ê Ô Ơ Ư Đ
TCVN3_CAPITALS = {"Â": "¢", "Ă": "¡", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}


def test_letter_inventory_is_the_134_vietnamese_letters():
    upper = letters_in_reference_order(True)
    lower = letters_in_reference_order(False)
    expected = {c for c in upper + lower if not c.isascii()}
    assert len(le.VIETNAMESE_LETTERS) == 134
    assert set(le.VIETNAMESE_LETTERS) == expected
    assert all(unicodedata.is_normalized("NFC", c) and len(c) == 1 for c in le.VIETNAMESE_LETTERS)


@pytest.mark.parametrize("upper", [False, True])
def test_vni_matches_xvnkb_table(upper):
    reference = VNI_UPPER if upper else VNI_LOWER
    letters = letters_in_reference_order(upper)
    assert len(reference) == len(letters) == 73
    for letter, ref in zip(letters, reference, strict=True):
        ref_bytes = ref.encode("cp1252")
        assert le.encode_vni(letter) == ref_bytes, letter
        assert le.decode_vni(ref_bytes) == letter, ref


def test_tcvn3_matches_xvnkb_table():
    letters = letters_in_reference_order(False)
    assert len(TCVN3_LOWER) == len(letters) == 73
    for letter, ref in zip(letters, TCVN3_LOWER, strict=True):
        ref_bytes = ref.encode("cp1254")
        assert le.encode_tcvn3(letter) == ref_bytes, letter
        assert le.decode_tcvn3(ref_bytes) == letter, ref
    for letter, ref in TCVN3_CAPITALS.items():
        assert le.encode_tcvn3(letter) == ref.encode("cp1252")
        assert le.decode_tcvn3(ref.encode("cp1252")) == letter


def test_known_sequences_from_public_converters():
    # duydev/vietnamese-conversion README: Unicode -> VNI
    assert le.encode_vni("Xin chào các bạn").decode("cp1252") == "Xin chaøo caùc baïn"
    # a public TCVN3 -> Unicode converter's examples (Lào Cai place names), bytes read as cp1252
    assert le.decode_tcvn3("B¶o Th¾ng".encode("cp1252")) == "Bảo Thắng"
    assert le.decode_tcvn3("B¸t X¸t".encode("cp1252")) == "Bát Xát"
    assert le.decode_tcvn3(b"M\xad\xeang Kh\xad\xacng") == "Mường Khương"


@pytest.mark.parametrize("letter", le.VIETNAMESE_LETTERS)
def test_round_trip_every_letter_vni_and_cp1258(letter):
    assert le.decode_vni(le.encode_vni(letter)) == letter
    assert le.decode_cp1258(le.encode_cp1258(letter)) == letter


@pytest.mark.parametrize("letter", le.VIETNAMESE_LETTERS)
def test_tcvn3_every_letter(letter):
    toned_capital = letter.isupper() and letter not in TCVN3_CAPITALS
    if toned_capital:
        with pytest.raises(UnicodeEncodeError):
            le.encode_tcvn3(letter)
        # the .VnTimeH convention: written with the lower-case code, read back lower case
        assert le.encode_tcvn3(letter, errors="lowercase") == le.encode_tcvn3(letter.lower())
        assert le.decode_tcvn3(le.encode_tcvn3(letter, errors="lowercase")) == letter.lower()
    else:
        assert le.decode_tcvn3(le.encode_tcvn3(letter)) == letter


def test_cp1258_is_what_pythons_codec_reads_back():
    data = le.encode_cp1258("Rất hài lòng")
    # â is precomposed in cp1258, the acute is the combining byte 0xEC; ò is o + 0xCC
    assert data == b"R\xe2\xect h\xe0i lo\xccng"
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == "Rất hài lòng"
    assert data.decode("cp1258") != "Rất hài lòng"  # decomposed until normalised


def test_encoders_take_decomposed_input_and_decoders_return_nfc():
    text = "Thừa Thiên Huế, Đắk Lắk"
    nfd = unicodedata.normalize("NFD", text)
    for enc in ("vni", "cp1258", "tcvn3"):
        assert le.encode(nfd, enc) == le.encode(text, enc)
        out = le.decode(le.encode(text, enc), enc)
        assert out == text and unicodedata.is_normalized("NFC", out)


def test_encoders_raise_on_characters_they_cannot_write():
    for enc in ("vni", "tcvn3", "cp1258"):
        with pytest.raises(UnicodeEncodeError):
            le.encode("Hà Nội 漢", enc)
    with pytest.raises(UnicodeEncodeError):
        le.encode_tcvn3("Ủy ban")
    with pytest.raises(ValueError):
        le.encode_tcvn3("x", errors="ignore")
    with pytest.raises(ValueError):
        le.encode("x", "viscii")


def test_decoders_raise_on_bytes_the_encoding_does_not_use():
    with pytest.raises(UnicodeDecodeError):
        le.decode_tcvn3(b"a\x81b")
    with pytest.raises(UnicodeDecodeError):
        le.decode_vni(b"t\xf9")  # a tone byte after a consonant
    with pytest.raises(UnicodeDecodeError):
        le.decode_vni(b"\xff")


def test_vni_decoder_accepts_modifier_of_the_other_case():
    assert le.decode_vni("AÙ".encode("cp1252")) == "Á"
    assert le.decode_vni("Aù".encode("cp1252")) == "Á"
    assert le.decode_vni("aÙ".encode("cp1252")) == "á"


vietnamese_text = st.text(
    alphabet=st.sampled_from(
        list(le.VIETNAMESE_LETTERS) + list("abcdeghiklmnopqrstuvxyABCDĐ ,.-;0123456789")
    ),
    max_size=60,
)


@given(vietnamese_text)
def test_property_round_trip(text):
    assert le.decode_vni(le.encode_vni(text)) == text
    assert le.decode_cp1258(le.encode_cp1258(text)) == text
    lowered = text.lower()
    assert le.decode_tcvn3(le.encode_tcvn3(lowered)) == lowered


def test_vietnamese_score_separates_right_and_wrong_readings():
    good = "Công an tỉnh Hà Giang; Rất hài lòng; Thừa Thiên Huế; Phòng Cảnh sát giao thông"
    assert le.vietnamese_score(good) == 1.0
    wrong_readings = 0
    for written in ("cp1258", "tcvn3", "vni"):
        data = le.encode(good, written)
        for read in ("cp1258", "tcvn3", "vni"):
            if read == written:
                continue
            try:
                wrong = le.decode(data, read)
            except UnicodeDecodeError:
                continue
            wrong_readings += 1
            assert le.vietnamese_score(wrong) < 0.5, (written, read, wrong)
    assert wrong_readings >= 3
    assert le.vietnamese_score("plain ascii only") == 0.0


def test_every_word_of_the_codebook_and_source_article_is_a_syllable():
    from satisfaction import config

    texts = [config.CODEBOOK.read_text(encoding="utf-8")]
    article = config.ROOT.parent / "shared" / "source-article-vi.txt"
    if article.exists():
        texts.append(article.read_text(encoding="utf-8"))
    for text in texts:
        assert le.vietnamese_score(text) == 1.0


@pytest.mark.parametrize(
    ("word", "ok"),
    [
        ("Nguyễn", True),
        ("Quỳnh", True),
        ("Khương", True),
        ("gìn", True),
        ("xoong", True),
        ("Đắk", True),
        ("tuần", True),
        ("HUẾ", True),
        ("tiềnh", False),  # iê does not take -nh
        ("sỏt", False),  # -t only with sắc or nặng
        ("thât", False),  # ... and never without a tone
        ("HuẾ", False),  # mixed case
        ("Rõỡt", False),  # two tone marks
        ("tænh", False),
    ],
)
def test_is_vietnamese_syllable(word, ok):
    assert le.is_vietnamese_syllable(word) is ok


def test_repair_font_text():
    typed_tcvn3 = le.encode_tcvn3("Công an tỉnh Hà Giang").decode("cp1252")
    assert typed_tcvn3 == "C«ng an tØnh Hµ Giang"
    assert le.repair_font_text(typed_tcvn3, "tcvn3") == "Công an tỉnh Hà Giang"
    typed_vni = le.encode_vni("Rất hài lòng").decode("cp1252")
    assert le.repair_font_text(typed_vni, "vni") == "Rất hài lòng"
    # proper Unicode is left alone, even when every letter is in Latin-1
    for text in ("Công an", "Rất hài lòng", "Hà Nội", "12345"):
        assert le.repair_font_text(text, "tcvn3") == text
        assert le.repair_font_text(text, "vni") == text

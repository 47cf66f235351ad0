"""Personal data in text from the data: names, phone and ID numbers, e-mail addresses, and the
per-file screen that decides what of a cell may be echoed into an output."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from satisfaction import config
from satisfaction.codebook import fold, load_codebook
from satisfaction.personal import (
    REDACTED,
    Screen,
    looks_like_name,
    mask_names,
    personal_hashes,
    redact,
)


@pytest.fixture(scope="module")
def shipped_names() -> list[str]:
    rows = pd.read_csv(config.RAW / "survey_2020.csv", dtype=str, keep_default_na=False,
                       usecols=["ho_ten"])
    return sorted(set(rows["ho_ten"]) - {""})


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn").replace("đ", "d").replace("Đ", "D")


def test_every_name_of_the_shipped_file_looks_like_a_name_however_typed(shipped_names):
    assert len(shipped_names) > 3000
    for typed in (lambda n: n, str.upper, _ascii, lambda n: unicodedata.normalize("NFD", n),
                  lambda n: f" {n}, "):
        missed = [n for n in shipped_names if not looks_like_name(typed(n))]
        assert missed == []


@pytest.mark.parametrize("text", [
    "Công an xã Yên Lâm, Gia Lai", "Công an phường Không Rõ", "Công an phường Trần Hưng Đạo",
    "Lệ phí", "Lệ Thủy", "Phường", "Nguyễn", "nguyễn văn an", "Nguyễn văn An",
    "Nguyễn Văn An Bình Minh Tâm",              # six words: not a name
    "Phan An 5", "Phan An0980422302", "Rất hài lòng", "Hài lòng", "Phòng cháy, chữa cháy",
    "2020-H027-00001", "district-R2", "??", "", "Kpă Y Bình",   # an uncommon family name
])
def test_text_that_is_not_a_common_full_name_does_not_look_like_one(text):
    assert not looks_like_name(text)


def test_no_office_name_of_the_list_looks_like_a_name():
    offices = pd.read_csv(config.RAW / "offices.csv", dtype=str)
    assert [o for o in offices["office"] if looks_like_name(o)] == []


def test_province_labels_that_look_like_names_are_the_codebook_s_own():
    """Some provinces are shaped like names ("Cao Bằng"): the screen shows them because the
    codebook knows them, never because the name rule misses them."""
    codebook = load_codebook()
    provinces = [codebook.label("province", c) for c in codebook.categories("province")]
    named = [p for p in provinces if looks_like_name(p)]
    assert "Cao Bằng" in named and "Hà Nội" in named
    known = frozenset(codebook.category_map("province"))
    assert Screen(known=known).texts(named) == named
    assert set(Screen().texts(named)) == {REDACTED}


def test_redact_hides_numbers_e_mails_and_a_name_beside_them():
    assert redact("Trần Văn Hùng 0980 422 302") == f"{REDACTED} {REDACTED}"
    assert redact("Phan Quốc An0980422302") == f"{REDACTED}{REDACTED}"
    assert redact("liên hệ an.phan82@gmail.com") == f"liên hệ {REDACTED}"
    assert redact("Công an xã Yên Lâm 0912345678") == f"Công an xã Yên Lâm {REDACTED}"
    # without a number, nothing is looked for: office names keep the people they are named after
    assert redact("Công an phường Trần Hưng Đạo") == "Công an phường Trần Hưng Đạo"
    assert redact("=HYPERLINK(\"http://x.example\")") == "=HYPERLINK(\"http://x.example\")"
    assert redact("@SUM(1+1)") == "@SUM(1+1)"


def test_mask_names_keeps_known_places():
    text = "Công an tỉnh Hà Giang, Nguyễn Văn An [redacted]"
    assert mask_names(text) == f"Công an tỉnh {REDACTED}, {REDACTED} {REDACTED}"
    assert mask_names(text, frozenset({"ha giang"})) == \
        f"Công an tỉnh Hà Giang, {REDACTED} {REDACTED}"


def test_personal_hashes_skip_short_values_and_long_digit_runs():
    h = personal_hashes([pd.Series(["kpa y binh", "x", "0", None, "kpa y binh"]),
                         pd.Series(["0980422302", "422302", "177660420595"])])
    assert len(h) == 2 and h.dtype == np.uint64 and np.all(h[:-1] < h[1:])
    assert len(personal_hashes([])) == 0 and len(personal_hashes([pd.Series([], dtype=str)])) == 0


def test_screen_hides_each_kind_and_counts_the_cells():
    personal = personal_hashes([pd.Series(["kpa y binh", "x"]), pd.Series(["422302"])])
    screen = Screen(personal, frozenset({"cao bang"}))
    cells = ["Kpă Y Bình", "KPĂ Y BÌNH", "x", "422302", "Phan Quốc An", "Phan Quốc An",
             "0912 345 678", "Cao Bằng", "Công an phường Không Rõ", None, "7", np.nan]
    shown = screen.cells(cells).tolist()
    assert shown == [REDACTED, REDACTED, "x", REDACTED, REDACTED, REDACTED, REDACTED,
                     "Cao Bằng", "Công an phường Không Rõ", None, "7", None]
    assert screen.masked == {"personal_value": 3, "name": 2, "phone_or_id": 1}


def test_a_strict_screen_echoes_only_known_text_and_single_words():
    known = frozenset({fold("Công an huyện Tân Điền, Vĩnh Phúc"), fold("Phòng cháy, chữa cháy")})
    screen = Screen(known=known, strict=True)
    cells = ["Công an huyện Tân Điền, Vĩnh Phúc", "Phòng cháy, chữa cháy", "Kpă Y Bình",
             "Công an phường Không Rõ", "2020-H027-00001", "55", "??", "Phường"]
    assert screen.texts(cells) == [*cells[:2], REDACTED, REDACTED, *cells[4:]]
    assert screen.masked == {"suspicious_file": 2}
    # the cleaning's own words (a detail) are held to the ordinary rules only
    assert screen.texts(["same values as an earlier row"], strict=False) == \
        ["same values as an earlier row"]

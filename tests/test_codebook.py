"""The questionnaire as data: matching labels, headers, provinces."""

from __future__ import annotations

import unicodedata

import pytest

from satisfaction.codebook import CodebookError, fold, load_codebook


def test_every_required_part_of_the_questionnaire_is_described(codebook):
    kinds = {c.kind for c in codebook.columns.values()}
    assert {"id", "category", "likert", "text", "number", "pii"} <= kinds
    assert codebook.categories("level") == ["central", "province", "district", "commune"]
    assert set(codebook.categories("respondent_type")) == {"citizen", "organisation"}
    assert set(codebook.categories("channel")) == {"in_person", "online"}
    assert {"residence", "id_card", "passport", "vehicle", "fire_safety",
            "business_security", "seals", "weapons"} <= set(codebook.categories("field"))
    assert list(codebook.components) == ["access", "procedures", "officers", "results", "feedback"]
    assert codebook.missing_codes == {8: "dont_know", 9: "refused"}
    assert codebook.pii_columns == ["full_name", "phone", "id_number"]
    assert len(codebook.provinces) == 63 and len(set(codebook.provinces)) == 63


def test_provinces_are_nfc_and_fold_to_distinct_keys(codebook):
    for name in codebook.provinces:
        assert unicodedata.is_normalized("NFC", name)
    assert len({fold(p) for p in codebook.provinces}) == 63


@pytest.mark.parametrize("typed, code", [
    ("Rất hài lòng", 5), ("RAT HAI LONG", 5), ("  hài   lòng ", 4), ("Satisfied", 4),
    ("bình thường", 3), ("Không hài lòng", 2), ("rat khong hai long", 1),
    ("Không biết", 8), ("Refused", 9),
    (unicodedata.normalize("NFD", "Rất hài lòng"), 5),
])
def test_likert_words_in_any_spelling(codebook, typed, code):
    assert codebook.likert_words[fold(typed)] == code


@pytest.mark.parametrize("header, canonical", [
    ("Mã phiếu", "respondent_id"), ("MA_PHIEU", "respondent_id"), ("Trọng số", "weight"),
    ("trong so", "weight"), ("A1", "a1"), ("Hài lòng chung", "q_overall"),
    ("Số điện thoại", "phone"), ("Tỉnh/Thành phố", "province"),
])
def test_header_variants_map_to_canonical_names(codebook, header, canonical):
    assert codebook.header_map[fold(header)] == canonical


def test_category_labels_and_aliases(codebook):
    level = codebook.category_map("level")
    assert level[fold("Tỉnh")] == "province" and level[fold("Bộ Công an")] == "central"
    assert codebook.category_map("province")[fold("TP.HCM")] == "TP. Hồ Chí Minh"
    assert codebook.province_region["Đắk Lắk"] == "R4"


def test_missing_or_broken_codebook_is_a_clear_error(tmp_path):
    with pytest.raises(CodebookError, match="codebook not found"):
        load_codebook(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ncolumns: {}\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="missing section"):
        load_codebook(bad)


def test_ambiguous_labels_are_refused(tmp_path):
    text = load_codebook().source.read_text(encoding="utf-8")
    # Give "online" the alias that already means "in person".
    text = text.replace('en: "Online", aliases: [', 'en: "Online", aliases: ["trực tiếp", ')
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match="maps to two codes"):
        load_codebook(path)


@pytest.mark.parametrize(("change", "message"), [
    (lambda c: c["columns"]["a1"].update(years=[2020]), r"columns: a1: unknown key\(s\) years"),
    (lambda c: c["columns"].update(a9={"kind": "likert", "component": "access",
                                       "required": True, "vi": "x", "en": "x"}),
     "columns: a9: its component 'access' does not list it under items"),
])
def test_a_codebook_says_which_column_is_wrong(tmp_path, change, message):
    """A key the loader does not know (a year on an item) or an item its component does not
    list is an error naming the column, never silently ignored."""
    import yaml

    spec = yaml.safe_load(load_codebook().source.read_text(encoding="utf-8"))
    change(spec)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CodebookError, match=message):
        load_codebook(path)

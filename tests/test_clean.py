"""Cleaning: every fault repaired and counted or quarantined with its reason, nothing lost."""

from __future__ import annotations

import json
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satisfaction.clean import (
    OUTPUT_FILES,
    CleanError,
    MostlyBadError,
    clean_file,
    clean_survey,
    parse_likert,
)
from satisfaction.codebook import fold

SALT = b"test-salt"


def run(rows, codebook, offices):
    return clean_survey(rows, 2020, codebook=codebook, offices=offices, salt=SALT)


def test_clean_rows_pass_through_unchanged(raw_rows, codebook, offices):
    result = run(raw_rows, codebook, offices)
    assert len(result.data) == 40 and len(result.quarantine) == 0
    assert result.data["q_overall"].tolist() == raw_rows["hai_long_chung"].astype(int).tolist()
    assert result.data["weight"].tolist() == raw_rows["trong_so"].astype(float).tolist()
    expected = raw_rows["hai_long_chung"].astype(int).ge(4).astype(float).tolist()
    assert result.data["satisfied"].tolist() == expected


@pytest.mark.parametrize("column, value, reason", [
    ("cap", "Phường", "invalid_level"),
    ("cap", "", "missing_level"),
    ("doi_tuong", "khách", "invalid_respondent_type"),
    ("linh_vuc", "", "missing_field"),
    ("hinh_thuc", "bưu điện", "invalid_channel"),
    ("tinh_tp", "Atlantis", "invalid_province"),
    ("trong_so", "", "invalid_weight"),
    ("trong_so", "-3.5", "invalid_weight"),
    ("trong_so", "0", "invalid_weight"),
    ("trong_so", "abc", "invalid_weight"),
    ("hai_long_chung", "7", "invalid_overall"),
    ("hai_long_chung", "tuyệt vời", "invalid_overall"),
])
def test_each_row_fault_is_quarantined_with_its_reason(raw_rows, codebook, offices, column, value, reason):
    rows = raw_rows.copy()
    rows.loc[3, column] = value
    result = run(rows, codebook, offices)
    assert len(result.data) == 39
    assert result.quarantine[["line", "reason"]].values.tolist() == [[5, reason]]  # header: line 1


def test_unknown_office_and_conflicting_office(raw_rows, codebook, offices):
    rows = raw_rows.copy()
    rows.loc[0, ["ma_don_vi", "don_vi"]] = ["", "Công an phường Không Rõ"]
    other = offices[offices["office_code"] != rows.loc[1, "ma_don_vi"]].iloc[0]
    rows.loc[1, "don_vi"] = other["office"]
    result = run(rows, codebook, offices)
    got = dict(result.quarantine[["line", "reason"]].values.tolist())
    assert got == {2: "office_unknown", 3: "office_conflict"}


def test_office_spelled_another_way_or_code_missing_is_repaired(raw_rows, codebook, offices):
    rows = raw_rows.copy()
    truth = rows.loc[[0, 1, 2], ["ma_don_vi", "don_vi"]].copy()
    rows.loc[0, "don_vi"] = rows.loc[0, "don_vi"].replace("Công an", "CA", 1)
    rows.loc[1, "don_vi"] = "".join(c for c in unicodedata.normalize("NFD", rows.loc[1, "don_vi"])
                                    if unicodedata.category(c) != "Mn").replace("đ", "d")
    rows.loc[2, "ma_don_vi"] = ""
    result = run(rows, codebook, offices)
    assert len(result.quarantine) == 0
    assert result.data.loc[[0, 1, 2], "office"].tolist() == truth["don_vi"].tolist()
    assert result.data.loc[[0, 1, 2], "office_code"].tolist() == truth["ma_don_vi"].tolist()
    assert result.log["repairs"]["office"]["canonicalised"] == 2
    assert result.log["repairs"]["office_code"]["filled_from_office_name"] == 1


def test_likert_words_codes_and_missing_codes(raw_rows, codebook, offices):
    rows = raw_rows.copy()
    rows.loc[0, ["a1", "a2", "a3", "p1", "p2", "p3", "hai_long_chung"]] = [
        "Rất hài lòng", " hai long ", "8", "9", "", "6", "  RẤT HÀI LÒNG"]
    result = run(rows, codebook, offices)
    first = result.data.iloc[0]
    assert first["a1"] == 5 and first["a2"] == 4 and first["q_overall"] == 5
    assert all(pd.isna(first[c]) for c in ["a3", "p1", "p2", "p3"])
    counts = result.item_missing.set_index("item")
    assert counts.loc["a3", "dont_know"] == 1 and counts.loc["p1", "refused"] == 1
    assert counts.loc["p2", "blank"] == 1 and counts.loc["p3", "out_of_range"] == 1
    assert counts.loc["a1", "word"] == 1 and counts.loc["q_overall", "word"] == 1


def test_dont_know_on_the_overall_item_keeps_the_row_out_of_the_rate(raw_rows, codebook, offices):
    rows = raw_rows.copy()
    rows.loc[5, "hai_long_chung"] = "8"
    result = run(rows, codebook, offices)
    assert len(result.data) == 40
    assert pd.isna(result.data.loc[5, "satisfied"])
    assert result.log["overall_item"] == {"valid": 39, "no_valid_answer": 1}


def test_parse_likert_reports_every_status(codebook):
    values, status = parse_likert(pd.Series(["1", "5.0", "0", "99", "abc", None, "Neutral"]), codebook)
    assert values.tolist()[:2] == [1, 5] and values.tolist()[6] == 3
    assert status.tolist() == ["ok", "ok", "out_of_range", "out_of_range", "unreadable", "blank", "word"]


def test_duplicates_exact_and_near_keep_the_first(raw_rows, codebook, offices):
    rows = pd.concat([raw_rows, raw_rows.iloc[[2]]], ignore_index=True)           # exact copy
    near = raw_rows.iloc[[7]].copy()
    near["ma_phieu"] += "-bis"
    near["ho_ten"] = "  " + near["ho_ten"].str.upper()                             # same person
    rows = pd.concat([rows, near], ignore_index=True)
    same_id = raw_rows.iloc[[9]].copy()
    same_id["hai_long_chung"] = "1" if same_id["hai_long_chung"].iloc[0] != "1" else "2"
    same_id[["ho_ten", "so_dien_thoai", "so_cccd"]] = ["Người Khác", "0911111111", "001122334455"]
    rows = pd.concat([rows, same_id], ignore_index=True)
    result = run(rows, codebook, offices)
    got = result.quarantine[["line", "reason"]].values.tolist()
    assert got == [[42, "duplicate_exact"], [43, "duplicate_near"], [44, "duplicate_near"]]
    assert len(result.data) == 40


def test_no_personal_data_leaves_the_cleaning_step(raw_rows, codebook, offices, tmp_path):
    rows = raw_rows.copy()
    rows.loc[0, "trong_so"] = ""          # one quarantined row too
    raw = tmp_path / "raw.csv"
    rows.to_csv(raw, index=False)
    clean_file(raw, 2020, tmp_path / "out" / "2020")
    written = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    text = written.decode("utf-8", errors="ignore")
    for col in ("ho_ten", "so_dien_thoai", "so_cccd"):
        for value in rows[col]:
            assert value not in text, f"{col} value found in the outputs"
    data = pd.read_parquet(tmp_path / "out" / "2020" / "survey.parquet")
    assert not {"full_name", "phone", "id_number"} & set(data.columns)


def test_raw_file_is_never_written(raw_rows, tmp_path):
    raw = tmp_path / "raw.csv"
    raw_rows.to_csv(raw, index=False)
    before = (raw.read_bytes(), raw.stat().st_mtime_ns)
    clean_file(raw, 2020, tmp_path / "out" / "2020")
    assert (raw.read_bytes(), raw.stat().st_mtime_ns) == before


def test_failed_run_leaves_previous_outputs(raw_rows, tmp_path):
    raw = tmp_path / "raw.csv"
    raw_rows.to_csv(raw, index=False)
    out = tmp_path / "out" / "2020"
    clean_file(raw, 2020, out)
    before = {name: (out / name).read_bytes() for name in OUTPUT_FILES}
    raw_rows.drop(columns=["trong_so"]).to_csv(raw, index=False)
    with pytest.raises(CleanError, match="required column.*weight"):
        clean_file(raw, 2020, out)
    assert {name: (out / name).read_bytes() for name in OUTPUT_FILES} == before


def test_header_only_file_and_missing_column_are_file_level_faults(raw_rows, codebook, tmp_path):
    with pytest.raises(CleanError, match="no data rows"):
        clean_survey(raw_rows.iloc[:0], 2020, codebook=codebook)
    with pytest.raises(CleanError, match=r"required column\(s\) missing: q_overall"):
        clean_survey(raw_rows.drop(columns=["hai_long_chung"]), 2020, codebook=codebook)


def test_every_row_bad_gives_an_empty_table_not_an_error(raw_rows, codebook, offices):
    rows = raw_rows.assign(trong_so="-1")
    result = run(rows, codebook, offices)
    assert len(result.data) == 0 and len(result.quarantine) == 40
    assert set(result.quarantine["reason"]) == {"invalid_weight"}


def test_log_counts_add_up(raw_rows, codebook, offices):
    rows = raw_rows.copy()
    rows.loc[1, "trong_so"] = ""
    rows.loc[2, "cap"] = "??"
    result = run(pd.concat([rows, rows.iloc[[5]]], ignore_index=True), codebook, offices)
    log = json.loads(json.dumps(result.log))
    assert log["rows_in"] == 41 == log["rows_clean"] + log["rows_quarantined"]
    assert sum(log["quarantine_reasons"].values()) == log["rows_quarantined"] == 3


faults = st.sampled_from([
    ("trong_so", ""), ("trong_so", "-2"), ("cap", "xyz"), ("hai_long_chung", "77"),
    ("hai_long_chung", "Rất hài lòng"), ("a1", "8"), ("don_vi", ""), ("ma_don_vi", ""),
    ("tinh_tp", "  Hà   Nội "), ("linh_vuc", ""), ("hinh_thuc", "Trực tuyến"),
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 39), faults), max_size=25),
       dupes=st.lists(st.integers(0, 39), max_size=6))
def test_clean_plus_quarantined_always_equals_input(raw_rows, codebook, offices, edits, dupes):
    rows = raw_rows.copy()
    for i, (col, value) in edits:
        rows.loc[i, col] = value
    rows = pd.concat([rows, rows.iloc[dupes]], ignore_index=True)
    result = run(rows, codebook, offices)
    assert len(result.data) + len(result.quarantine) == len(rows)
    assert result.quarantine["line"].is_unique
    assert result.quarantine["reason"].notna().all()
    assert np.isin(result.quarantine["line"], np.arange(2, len(rows) + 2)).all()


def test_spss_user_missing_codes_and_ranges_are_missing_not_answers(codebook):
    values, status = parse_likert(pd.Series(["3", "97", "98", "9", "5", "0"]), codebook,
                                  user_missing=["0", "97..99"])
    assert values.tolist()[0] == 3 and values.tolist()[4] == 5
    assert status.tolist() == ["ok", "user_missing", "user_missing", "refused", "ok",
                               "user_missing"]


def test_spss_file_with_value_labels_and_user_missing(raw_rows, tmp_path, codebook, offices):
    pyreadstat = pytest.importorskip("pyreadstat")
    rows = raw_rows.copy()
    level_code = {"Trung ương": 1, "Tỉnh": 2, "Huyện": 3, "Xã": 4}
    rows["cap"] = rows["cap"].map(level_code).astype(float)
    for item in ("a1", "hai_long_chung"):
        rows[item] = rows[item].astype(float)
    rows.loc[0, "a1"] = 98.0
    path = tmp_path / "survey.sav"
    pyreadstat.write_sav(rows, path,
                         variable_value_labels={"cap": {v: k for k, v in level_code.items()}},
                         missing_ranges={"a1": [{"lo": 97.0, "hi": 99.0}]})
    from satisfaction.io import read_raw

    result = clean_survey(read_raw(path), 2020, codebook=codebook, offices=offices, salt=SALT)
    assert len(result.data) == 40 and len(result.quarantine) == 0
    level = codebook.category_map("level")
    assert result.data["level"].astype(str).tolist() == [level[fold(v)] for v in raw_rows["cap"]]
    assert pd.isna(result.data.loc[0, "a1"])
    assert result.item_missing.set_index("item").loc["a1", "user_missing"] == 1


# --- personal data echoed from cells: the file's screen ---------------------------------------

UNCOMMON = "Kpă Y Bình"      # a full name the family-name rule does not know


def _written(out) -> str:
    """Every output of a clean as text (Parquet read back cell by cell)."""
    parts = []
    for path in sorted(out.rglob("*")):
        if path.is_file():
            parts.append(pd.read_parquet(path).astype(str).to_csv() if path.suffix == ".parquet"
                         else path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def test_a_respondent_s_name_in_any_other_cell_is_hidden_where_it_is_echoed(raw_rows, codebook,
                                                                            offices):
    rows = raw_rows.copy()
    rows.loc[3, "ho_ten"] = UNCOMMON
    rows.loc[5, "cap"] = UNCOMMON.upper()              # another row's name: personal_value
    rows.loc[7, "hai_long_chung"] = rows.loc[0, "ho_ten"]            # a common name: name
    rows.loc[9, "linh_vuc"] = "Đặng Thu Long"          # nobody's in this file, still a name
    result = run(rows, codebook, offices)
    q = result.quarantine.set_index("line")
    assert q.loc[[7, 9, 11], "reason"].tolist() == ["invalid_level", "invalid_overall",
                                                    "invalid_field"]
    assert q.loc[[7, 9, 11], "detail"].tolist() == ["[redacted]"] * 3
    assert [q.loc[7, "level"], q.loc[9, "q_overall"], q.loc[11, "field"]] == ["[redacted]"] * 3
    assert result.log["personal_data"]["masked"] == {"name": 4, "personal_value": 2}
    assert result.log["personal_data"]["suspicious"] is False
    text = result.quarantine.to_csv() + json.dumps(result.log, ensure_ascii=False)
    for name in (UNCOMMON, UNCOMMON.upper(), rows.loc[0, "ho_ten"], "Đặng Thu Long"):
        assert name not in text


def test_columns_the_codebook_does_not_know_are_written_nowhere(raw_rows, tmp_path):
    rows = raw_rows.copy()
    rows["ghi_chu"] = rows["ho_ten"] + " " + rows["so_dien_thoai"]
    rows.insert(3, "Người khai", UNCOMMON)                # a misspelled header, in the middle
    rows.loc[2, "cap"] = "??"                             # a quarantined row too
    raw = tmp_path / "raw.csv"
    rows.to_csv(raw, index=False)
    result = clean_file(raw, 2020, tmp_path / "out")
    assert result.log["unmapped_columns"] == ["Người khai", "ghi_chu"]
    assert any("unrecognised header(s) column 4 (Người khai), column 35 (ghi_chu)" in w
               and "written nowhere" in w for w in result.log["warnings"])
    assert result.log["personal_data"]["suspicious"] is False
    text = _written(tmp_path / "out")
    for value in {UNCOMMON, *rows["ghi_chu"], *rows["ho_ten"], *rows["so_dien_thoai"]}:
        assert value not in text
    assert "??" in text                                  # the quarantine still shows its cells


def _suspicious_rows(raw_rows: pd.DataFrame) -> pd.DataFrame:
    rows = raw_rows.copy()
    rows.loc[2, "cap"] = "Phường Mới"                       # two words nobody knows
    rows.loc[4, ["ma_don_vi", "don_vi"]] = ["", "Công an phường Không Rõ"]
    rows.loc[6, "cap"] = "??"
    rows.loc[8, "hai_long_chung"] = UNCOMMON
    return rows


def test_a_file_whose_personal_columns_are_not_all_recognised_is_suspicious(raw_rows, codebook,
                                                                          offices):
    ordinary = run(_suspicious_rows(raw_rows), codebook, offices)
    # the phone column's header lost a separator: its values (and the names beside them) may
    # be anywhere
    rows = _suspicious_rows(raw_rows).rename(columns={"so_dien_thoai": "sodienthoai kh"})
    result = run(rows, codebook, offices)
    log = result.log
    assert log["personal_data"]["columns_not_found"] == ["phone"]
    assert log["personal_data"]["suspicious"] is True
    assert any("personal column(s) phone not found" in w for w in log["warnings"])
    assert log["unmapped_columns"] == ["[redacted]"]         # two words nobody knows, too
    q = result.quarantine.set_index("line")
    assert q.loc[[4, 6, 8, 10], "detail"].tolist() == [
        "[redacted]", "[redacted] / (blank)", "??", "[redacted]"]
    assert q.loc[4, "level"] == "[redacted]" and q.loc[10, "q_overall"] == "[redacted]"
    # labels, office names of the list, codes and single words are still shown
    assert q.loc[4, "province"] == rows.loc[2, "tinh_tp"]
    assert q.loc[4, "office"] == rows.loc[2, "don_vi"]
    assert q.loc[4, "respondent_id"] == rows.loc[2, "ma_phieu"]
    assert log["personal_data"]["masked"]["suspicious_file"] >= 4
    # the same rows with every personal column recognised: the diagnostics are shown
    q0 = ordinary.quarantine.set_index("line")
    assert q0.loc[[4, 6, 8], "detail"].tolist() == [
        "Phường Mới", "Công an phường Không Rõ / (blank)", "??"]
    assert "suspicious_file" not in ordinary.log["personal_data"]["masked"]
    # the processed table is the same (but for the respondent key, which lost the phone)
    pd.testing.assert_frame_equal(result.data.drop(columns="respondent_key"),
                                  ordinary.data.drop(columns="respondent_key"))


def test_a_header_that_lost_a_separator_leaks_no_name(raw_rows, tmp_path):
    """The property test's find: ``ho_ten,so_dien_thoai`` merged into one unknown column and a
    row one field short put a respondent's name in the overall item."""
    rows = raw_rows.copy()
    rows.loc[2, "ho_ten"] = UNCOMMON
    lines = rows.to_csv(index=False).splitlines(keepends=True)
    lines[0] = lines[0].replace("ho_ten,so_dien_thoai", "ho_tenso_dien_thoai")
    lines[3] = lines[3].replace(",5,", ",5", 1) if ",5," in lines[3] else \
        lines[3].replace(",4,", ",4", 1)
    raw = tmp_path / "raw.csv"
    raw.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(MostlyBadError) as caught:   # the other rows have a field too many
        clean_file(raw, 2020, tmp_path / "out")
    result = caught.value.result
    q = result.quarantine.set_index("line")
    assert q.loc[4, "reason"] == "invalid_overall" and q.loc[4, "detail"] == "[redacted]"
    assert result.log["personal_data"]["columns_not_found"] == ["full_name", "phone"]
    assert result.log["unmapped_columns"] == ["ho_tenso_dien_thoai"]
    text = _written(tmp_path / "out")
    for value in {*rows["ho_ten"], *rows["so_dien_thoai"], *rows["so_cccd"]}:
        assert value not in text


def test_a_row_whose_fields_shifted_without_changing_their_count_leaks_no_name(raw_rows,
                                                                            tmp_path):
    """A lost separator and an added one in the same row: the right field count, but the
    name in the overall item and the phone in the name column."""
    rows = raw_rows.copy()
    rows.loc[2, "ho_ten"] = UNCOMMON
    rows.loc[6, "cap"] = "Phường Mới"                  # a row that did not shift: shown
    lines = rows.to_csv(index=False).splitlines(keepends=True)
    fields = lines[3].rstrip("\n").split(",")
    at = len(fields) - 10                                 # inside the Likert items
    lines[3] = ",".join([*fields[:at], fields[at] + fields[at + 1], *fields[at + 2:], ""]) + "\n"
    raw = tmp_path / "raw.csv"
    raw.write_text("".join(lines), encoding="utf-8")
    result = clean_file(raw, 2020, tmp_path / "out")
    q = result.quarantine.set_index("line")
    assert q.loc[4, "reason"] == "invalid_overall"
    assert q.loc[4, "detail"] == "[redacted]" and q.loc[4, "q_overall"] == "[redacted]"
    assert q.loc[8, "detail"] == "Phường Mới"
    assert result.log["personal_data"]["rows_misshapen"] == 1
    assert any("1 row(s) with a personal cell not shaped as one" in w
               for w in result.log["warnings"])
    assert UNCOMMON not in _written(tmp_path / "out")


def test_without_an_office_list_a_name_typed_as_the_office_is_hidden(raw_rows, codebook):
    rows = raw_rows.copy()
    rows.loc[3, "ho_ten"] = UNCOMMON
    rows.loc[1, "don_vi"] = UNCOMMON                      # a kept row: the processed table
    rows.loc[2, "tang"] = rows.loc[0, "ho_ten"]
    result = run(rows, codebook, None)
    assert len(result.quarantine) == 0
    assert result.data.loc[1, "office"] == "[redacted]"
    assert result.data.loc[2, "stratum"] == "[redacted]"
    assert result.data.loc[0, "office"] == raw_rows.loc[0, "don_vi"]


@pytest.mark.parametrize("year", [2019, 2020, 2021])
def test_the_screen_changes_nothing_in_the_shipped_files(year, monkeypatch):
    """The shipped files' processed tables and quarantines are what they are without the
    screen: it hides nothing there (no office name, label or code is taken for a name)."""
    from satisfaction.clean import CleanSettings, read_offices
    from satisfaction.io import read_raw
    from satisfaction.params import load_params
    from satisfaction.personal import Screen

    params = load_params(year)
    settings = CleanSettings.from_params(params)
    raw = read_raw(params.raw_file, encoding=params.encoding, sheet=params.sheet)
    offices = read_offices(settings.offices_file)

    def clean():
        return clean_survey(raw, year, offices=offices, salt=SALT, settings=settings,
                            offices_path=settings.offices_file)

    screened = clean()
    assert screened.log["personal_data"] == {
        "columns": ["full_name", "phone", "id_number"], "columns_not_found": [],
        "suspicious": False, "rows_misshapen": 0, "masked": {}}
    assert screened.log["unmapped_columns"] == []

    def as_typed(self, values, cells=None, *, strict=None):
        return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                for v in values]

    monkeypatch.setattr(Screen, "texts", as_typed)
    unscreened = clean()
    pd.testing.assert_frame_equal(screened.data, unscreened.data)
    pd.testing.assert_frame_equal(screened.quarantine, unscreened.quarantine)

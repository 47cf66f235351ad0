"""Figures of the change between years: satisfaction.plots.change.

Checks: which domains are drawn and in what order, the footnotes counting those left out,
names drawn as typed (a ``$`` in an office name, decomposed Unicode), every word in the
edition's language (labels from the codebook, numbers in its style), text no smaller than
9 pt, and clear errors for tables that lack a column.
"""

from __future__ import annotations

import io
import unicodedata

import numpy as np
import pandas as pd
import pytest

from satisfaction import compare as cmp
from satisfaction.i18n import _
from satisfaction.plots import MIN_FONT_PT, set_theme, smallest_text
from satisfaction.plots.change import change_plot, sensitivity_heatmap


def _estimates(p: list[float], n: list[int], names: list[str]) -> pd.DataFrame:
    p_, n_ = np.asarray(p), np.asarray(n, dtype=float)
    return pd.DataFrame({"estimate": p_, "se": np.sqrt(p_ * (1 - p_) / n_), "n": n_,
                         "n_eff": n_}, index=pd.Index(names, name="level"))


def _changes() -> pd.DataFrame:
    cur = _estimates([0.95, 0.93, 2830 / 3000, 0.8], [200, 1000, 3000, 50],
                     ["central", "province", "district", "commune"])
    base = _estimates([0.8, 0.85, 2500 / 3000, 0.9], [200, 1000, 3000, 10],
                      ["central", "province", "district", "weapons_office"])
    t = cmp.change_table(cur, base)
    return cmp.add_multiple_testing(t.assign(fam=1), family="fam")


def _tick_labels(fig) -> list[str]:
    return [tl.get_text() for tl in fig.axes[0].get_yticklabels()]


def test_change_plot_footnotes_hidden_domains():
    t = _changes()
    fig = change_plot(t, label="index", min_n=100)
    # sorted: 0.95 - 0.80 (central) on top, 0.93 - 0.85 (province) at the bottom
    assert [lab.split()[0] for lab in _tick_labels(fig)] == ["province", "district", "central"]
    note = fig._supxlabel.get_text()
    assert "not in both years, not shown: 2" in note
    with pytest.raises(ValueError, match="significant_bh"):
        change_plot(t.drop(columns="significant_bh"), significant="significant_bh")
    with pytest.raises(ValueError, match="change_low"):
        change_plot(t.drop(columns="change_low"))


def test_change_plot_hides_small_domains_and_keeps_both_ends_of_the_top():
    t = _changes()
    fig = change_plot(t, label="index", min_n=500)
    assert [lab.split()[0] for lab in _tick_labels(fig)] == ["province", "district"]
    assert "fewer than 500 respondents in a year, hidden: 1" in fig._supxlabel.get_text()
    fig = change_plot(t, label="index", top=2)  # the highest and the lowest change
    assert [lab.split()[0] for lab in _tick_labels(fig)] == ["province", "central"]
    assert "showing the 1 highest and 1 lowest of 3 changes" in fig._supxlabel.get_text()


def test_change_plot_in_vietnamese_with_the_codebooks_labels():
    t = _changes()
    fig = change_plot(t, label="index", labels=lambda lang: {"central": "Trung ương"},
                      years=(2020, 2019), title=_("Satisfied"), lang="vi")
    labels = _tick_labels(fig)
    assert labels[-1] == "Trung ương (n = 200 / 200)" and labels[0].startswith("province (n = 1.000")
    assert fig.axes[0].get_xlabel() == ("Thay đổi từ năm 2019 đến năm 2020, điểm phần trăm "
                                        "(khoảng tin cậy 95 %)")
    assert fig.get_suptitle() == "Hài lòng"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == "tăng, lớn hơn sai số chọn mẫu (sau hiệu chỉnh Holm)"
    assert all(text.endswith("(sau hiệu chỉnh Holm)") for text in legend)
    assert "không có ở cả hai năm, không hiển thị: 2" in fig._supxlabel.get_text()
    set_theme()
    assert smallest_text(change_plot(t, label="index", lang="vi")) >= MIN_FONT_PT
    long = "An ninh trật tự ngành nghề kinh doanh có điều kiện"
    fig = change_plot(t, label="index", labels={"central": long}, lang="vi")
    wrapped = [lab for lab in _tick_labels(fig) if lab.startswith("An ninh")]
    assert wrapped[0].count("\n") == 1 and wrapped[0].replace("\n", " ").startswith(long)


def test_change_plot_draws_office_names_as_typed():
    t = _changes()
    decomposed = unicodedata.normalize("NFD", "Công an Huế")
    names = {"central": "Đội $5 phí", "province": "Công an $x^$", "district": decomposed}
    t = t.rename(index=names)
    fig = change_plot(t, label="index", title="Offices with $ in their names")
    labels = _tick_labels(fig)
    assert labels[0].startswith(r"Công an \$x^\$ (n = 1,000")  # escaped, not mathtext
    assert labels[1].startswith("Công an Huế (n =")  # NFC
    assert labels[2].startswith(r"Đội \$5 phí")
    fig.savefig(io.BytesIO(), format="png")  # a mathtext parse would fail here


def test_sensitivity_heatmap_panels():
    grids = {r: cmp.sensitivity_grid(0.9645, 22250, p0, [50, 1000], [1.0, 20.0])
             for r, p0 in cmp.implied_base_rates(0.9645, 0.0976).items()}
    fig = sensitivity_heatmap(grids)
    assert len(fig.axes) == 4  # two panels, two colour bars
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == list(grids)
    vi = sensitivity_heatmap(grids, titles={cmp.READING_POINTS: _("Read as percentage points")},
                             years=(2020, 2019), lang="vi")
    assert vi.axes[0].get_title() == "Hiểu là điểm phần trăm"
    assert vi.axes[0].get_xlabel() == "Số người trả lời giả định của năm 2019"
    assert [t.get_text() for t in vi.axes[0].get_xticklabels()] == ["50", "1.000"]
    assert [t.get_text() for t in vi.axes[0].get_yticklabels()] == ["20", "1"]
    cells = [t.get_text() for t in vi.axes[0].texts]
    assert all("n.s." not in c for c in cells) and any("," in c for c in cells)
    assert "gạch chéo" in vi.legends[0].get_texts()[0].get_text()
    with pytest.raises(ValueError, match="lacks column"):
        sensitivity_heatmap(grids[cmp.READING_POINTS].drop(columns="interval_excludes_zero"))

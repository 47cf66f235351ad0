"""Editions in two languages: satisfaction.i18n, satisfaction.messages, report.formats,
report.show and the exporter's edition filter (report.html)."""

from __future__ import annotations

import textwrap

import nbformat
import pytest

from satisfaction import i18n, messages
from satisfaction.i18n import Message, _
from satisfaction.report import formats, show
from satisfaction.report.html import _publishable_copy, notebook_title


@pytest.fixture
def vi_catalogue(monkeypatch):
    """A Vietnamese catalogue of our own, in place of the shipped one."""
    entries = {"Satisfied": "Hài lòng", "{rate} of {n}": "{rate} trên {n}",
               "{n} respondents": "{n} người trả lời"}
    monkeypatch.setattr(i18n, "catalogue",
                        lambda lang: entries if lang == "vi" else {})
    return entries


def test_a_message_renders_in_each_language(vi_catalogue):
    m = _("{rate} of {n}").format(rate=formats.Percent(0.9645), n=formats.Count(22250))
    assert m.render("en") == "96.45 % of 22,250"
    assert m.render("vi") == "96,45 % trên 22.250"
    assert _("Not in the catalogue").render("vi") == "Not in the catalogue"  # English fallback
    joined = _("Satisfied") + ": " + "Công an tỉnh"
    assert joined.render("vi") == "Hài lòng: Công an tỉnh"


def test_a_message_refuses_missing_values_and_other_languages():
    with pytest.raises(KeyError, match=r"\['n'\]"):
        _("{n} respondents").format()
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        _("Satisfied").render("fr")
    with pytest.raises(TypeError):
        Message(42)


def test_formats_one_rule_per_quantity():
    assert formats.percent(0.964499934) == "96.45 %"
    assert formats.percent(0.964499934, lang="vi") == "96,45 %"
    assert formats.points(-0.0976, lang="vi") == "-9,76 điểm"
    assert formats.count(1234567, "vi") == "1.234.567"
    assert formats.decimal(1234.5678, 2, "en") == "1,234.57"
    assert formats.p_value(0.5, "vi") == "0,5"
    assert formats.percent(float("nan")) == "—" and formats.count(None) == "—"


def test_output_languages_follow_the_environment(monkeypatch):
    monkeypatch.delenv(i18n.LANGUAGES_ENV, raising=False)
    assert i18n.output_languages() == ("vi",)
    monkeypatch.setenv(i18n.LANGUAGES_ENV, "vi,en")
    assert i18n.output_languages() == ("vi", "en")
    monkeypatch.setenv(i18n.LANGUAGES_ENV, "vi,xx")
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        i18n.output_languages()


def test_show_displays_one_output_per_language(monkeypatch, vi_catalogue):
    shown = []
    monkeypatch.setattr(show, "_display", lambda data, meta: shown.append((data, meta)))
    monkeypatch.setenv(i18n.LANGUAGES_ENV, "vi,en")
    show.markdown(_("Satisfied"), "**x**")
    assert [(d["text/markdown"], m["lang"]) for d, m in shown] == [
        ("Hài lòng\n\n**x**", "vi"), ("Satisfied\n\n**x**", "en")]
    shown.clear()
    show.html(lambda lang: f"<table lang='{lang}'></table>")
    assert [m["lang"] for _d, m in shown] == ["vi", "en"]


def test_show_figure_has_alt_text_per_language(monkeypatch, vi_catalogue):
    from matplotlib.figure import Figure

    shown = []
    monkeypatch.setattr(show, "_display", lambda data, meta: shown.append((data, meta)))
    monkeypatch.setenv(i18n.LANGUAGES_ENV, "vi,en")

    def build(lang):
        fig = Figure(figsize=(2, 1))
        fig.add_subplot().set_title(_("Satisfied").render(lang))
        return fig

    show.figure(build, alt=_("Satisfied"))
    assert [m["alt"] for _d, m in shown] == ["Hài lòng", "Satisfied"]
    assert all(d["image/png"].startswith(b"\x89PNG") for d, _m in shown)


def _output(lang, text):
    return nbformat.v4.new_output("display_data", data={"text/markdown": text},
                                  metadata={"satisfaction": {"lang": lang}} if lang else {})


def test_an_edition_keeps_its_language_and_the_shared_outputs():
    cell = nbformat.v4.new_code_cell("x", outputs=[
        _output("vi", "# Tiêu đề"), _output("en", "# Title"), _output(None, "both")])
    nb = nbformat.v4.new_notebook(cells=[cell])
    vi = _publishable_copy(nb, "vi")
    assert [o["data"]["text/markdown"] for o in vi.cells[0].outputs] == ["# Tiêu đề", "both"]
    assert notebook_title(_publishable_copy(nb, "en")) == "Title"
    assert len(_publishable_copy(nb).cells[0].outputs) == 3


def test_the_shipped_catalogue_translates_every_message():
    problems = messages.check()
    assert not problems, "\n".join(map(str, problems[:20])) + (
        "\nrun `make messages`, then translate the new entries in "
        "lib/satisfaction/locales/vi/LC_MESSAGES/satisfaction.po")


def test_the_check_finds_missing_translations_and_f_strings(tmp_path, monkeypatch):
    lib = tmp_path / "lib" / "satisfaction"
    lib.mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    (lib / "page.py").write_text('from satisfaction.i18n import _\nX = _("Nobody translated me")\n',
                                 encoding="utf-8")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('%matplotlib inline\n_("In a cell")')])
    nbformat.write(nb, str(tmp_path / "notebooks" / "01_x.ipynb"))
    found = messages.extract(tmp_path)
    assert set(found) == {"Nobody translated me", "In a cell"}
    assert found["In a cell"][0][0] == "notebooks/01_x.ipynb#cell0"
    problems = messages.check(tmp_path)
    assert {p.message for p in problems} == {"Nobody translated me", "In a cell"}
    (lib / "bad.py").write_text(textwrap.dedent('''\
        from satisfaction.i18n import _
        n = 3
        X = _(f"{n} respondents")
    '''), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.py:3: an f-string inside _\(\)"):
        messages.extract(tmp_path)


def test_no_message_shows_a_code_name():
    """A reviewer reads words, not the parameters' keys or column names (`baseline_year`,
    `instrument:`): no message quotes a snake_case name or a YAML key."""
    import re

    code = re.compile(r"`[^`]*[_:][^`]*`")
    named = {text: places[0] for text, places in messages.extract().items() if code.search(text)}
    assert not named, named


def test_show_figure_writes_numbers_in_the_edition_s_style(monkeypatch, vi_catalogue):
    from matplotlib.figure import Figure

    shown = []
    monkeypatch.setattr(show, "_display", lambda data, meta: shown.append(meta))
    monkeypatch.setenv(i18n.LANGUAGES_ENV, "vi,en")
    figures = {}

    def build(lang):
        fig = Figure(figsize=(2, 1))
        fig.add_subplot().plot([95.0, 96.0], [0.0, 1.0])
        figures[lang] = fig
        return fig

    show.figure(build, alt=_("Satisfied"))
    ticks = {lang: fig.axes[0].xaxis.get_major_formatter().format_ticks([95.5])
             for lang, fig in figures.items()}
    assert ticks == {"vi": ["95,5"], "en": ["95.5"]}


@pytest.mark.parametrize(("variant", "term"), [
    ("trọng số", "quyền số"),               # weights, as the glossary defines them
    ("giá trị thiếu", "giá trị khuyết"),    # a missing value, as page 01 says it
    ("vòng quanh", "lập luận vòng tròn"),   # a circular check
    ("Đơn vị xếp hạng", "Đơn vị xếp loại"),   # a PAR band is a classification (page 04)
    ("đơn vị mẫu bậc", "đơn vị mẫu cấp một"),  # a primary sampling unit (page 02)
])
def test_the_vietnamese_catalogue_keeps_one_term_per_concept(variant, term):
    from babel.messages.pofile import read_po

    with messages.catalogue_path("vi").open("rb") as fh:
        catalogue = read_po(fh, locale="vi")
    used = set(messages.extract())
    odd = [m.id for m in catalogue if m.id in used and variant in str(m.string)]
    assert not odd, f"say {term!r}, not {variant!r}: {odd[:3]}"

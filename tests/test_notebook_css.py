"""Notebook pages keep only the style rules that can apply to them (sitebuild/notebook_css.py)."""

import re

from sitebuild import notebook_css

PAGE = ('<style>.jupyter-wrapper .jp-Cell{margin:0}.jupyter-wrapper .jp-Widget{color:red}'
        '.jupyter-wrapper .jp-Cell:not(.jp-mod-selected){padding:1px}'
        '.jupyter-wrapper .jp-Cell[data-mime-type="application/vnd.jupyter.stderr"]{background:pink}'
        '.jupyter-wrapper :root{--unused:1}.jupyter-wrapper body{margin:0}.jupyter-wrapper .md-typeset__table{margin:0}'
        '.jp-Widget,.jp-Cell{border:0}'
        '@media (max-width:760px){.jupyter-wrapper .jp-Cell{margin:1px}.jupyter-wrapper .jp-Widget{margin:2px}}'
        '@media print{.jp-Widget{display:none}}@font-face{font-family:x}</style>'
        '<div class="jupyter-wrapper"><div class="jp-Cell jp-CodeCell">code</div></div>')


def test_only_rules_that_can_match_the_page_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook_css, "CACHE", tmp_path)
    [css] = re.findall(r"<style>(.*)</style>", notebook_css.trim_styles(PAGE))
    assert css == (".jupyter-wrapper .jp-Cell{margin:0}.jupyter-wrapper .jp-Cell:not(.jp-mod-selected){padding:1px}"
                   '.jupyter-wrapper .jp-Cell[data-mime-type="application/vnd.jupyter.stderr"]{background:pink}'
                   ".jupyter-wrapper .md-typeset__table{margin:0}.jp-Widget,.jp-Cell{border:0}"
                   "@media (max-width:760px){.jupyter-wrapper .jp-Cell{margin:1px}}@font-face{font-family:x}")
    assert notebook_css.trim_styles(PAGE).endswith('<div class="jp-Cell jp-CodeCell">code</div></div>')


def test_a_trimmed_page_is_kept_by_the_hash_of_its_html(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook_css, "CACHE", tmp_path)
    trimmed = notebook_css.trim_styles(PAGE)
    [kept] = tmp_path.iterdir()
    kept.write_text("what the cache holds")
    assert notebook_css.trim_styles(PAGE) == "what the cache holds" and trimmed != kept.read_text()

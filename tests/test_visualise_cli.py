"""``migkg visualise`` without a browser: determinism, offline page, bad input, API."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_cli


def test_page_is_deterministic_offline_and_owns_its_template(built_store, tmp_path):
    one, two = tmp_path / "a.html", tmp_path / "b.html"
    for path in (one, two):
        code, _out, err = run_cli("visualise", "-o", str(path), "--on", "2022-06-01",
                                  store=built_store)
        assert code == 0, err
    text = one.read_text(encoding="utf-8")
    assert text == two.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.tmp"))
    # no resource from any host (pyvis's template would load Bootstrap and vis from CDNs)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.I)
    assert "bootstrap" not in text.lower() and "tom-select" not in text.lower()
    assert "default-src 'none'" in html.unescape(text)
    assert len(re.findall(r"^<script", text, re.M)) == 3  # data (JSON), vis-network, ours
    assert "innerHTML" not in text.split("<script>", 2)[-1]  # our code never uses it


@pytest.mark.parametrize(("args", "needle"), [
    (["--focus", "no such thing at all qqq"], "nothing in the graph"),
    (["--focus", "body:no-such-body"], "not a node"),
    (["--on", "2022-02-30"], "bad date"),
    (["--include", "body", "spaceship"], "unknown kind"),
    (["--depth", "-1"], "--depth"),
    (["--layout", "circle"], "invalid choice"),
])
def test_bad_input_is_one_line_exit_2(built_store, tmp_path, args, needle):
    code, _out, err = run_cli("visualise", "-o", str(tmp_path / "x.html"), *args,
                              store=built_store)
    assert code == 2
    assert err.strip().count("\n") == 0 and needle in err, err
    assert not (tmp_path / "x.html").exists()


def test_focus_accepts_iri_curie_and_text(built_store, backend):
    from visualise.graph import resolve_focus

    labour = "https://w3id.org/migkg/id/body/ministry-of-labour"
    assert resolve_focus(backend, labour) == labour
    assert resolve_focus(backend, "body:ministry-of-labour") == labour
    assert resolve_focus(backend, "MLSPP") == labour
    assert resolve_focus(backend, "министерство труда") == labour
    assert resolve_focus(backend, "ministry of labur") == labour  # a typo: the label index


def test_render_api_and_jupyter(backend, tmp_path):
    from visualise import RenderedPage, render

    page = render(backend, tmp_path / "p.html", focus="refugee status", depth=1)
    assert isinstance(page, RenderedPage) and page.is_file()
    shown = page._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "<script" not in shown
    tl = render(backend, tmp_path / "t.html", timeline=True)
    assert "<svg" in tl.read_text(encoding="utf-8")


def test_who_does_not_import_pyvis_or_networkx():
    code = ("import sys, kg.cli; kg.cli._parser(); "
            "print(any(m.split('.')[0] in ('pyvis', 'networkx') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "False"

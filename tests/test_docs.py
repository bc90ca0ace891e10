"""``migkg docs``: the static site (issue 9, item 4), on disk and in headless chromium.

The site is built from the session's store; two builds must be byte-identical. Every page is
crawled with html.parser and every internal link (href/src, with its #fragment) must resolve
to a file of the site. A sample of every kind of page is opened from ``file://`` in Debian's
/usr/bin/chromium (Playwright, never ``playwright install``): any request that is not
``file:``/``data:`` is aborted and counted (must be 0), and no page may log a console error.
A label with markup must show as text; the Migration Committee imported through a workbook
(the issue's "Done when") gets its page. Screenshots go to tests/output/.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import WatchedPage, run_cli

ON = "2024-01-01"
HOSTILE = "<img src=x onerror=window.__xss=1>"
HOSTILE_KK = "<script>window.__xss=2</script>"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(built_store, tmp_path_factory):
    from kg.docs import build_docs

    out = tmp_path_factory.mktemp("docs") / "site"
    result = build_docs(out, on=ON, store=built_store)
    return out, result


# --- on disk ---------------------------------------------------------------------------------

def test_site_has_every_part(site):
    root, result = site
    assert result.langs == ["en", "ru", "kk"] and result.matrix
    for rel in ("index.html", "entities.html", "ontology/en.html", "ontology/ru.html",
                "ontology/kk.html", "schemes/en.html", "schemes/ru.html", "schemes/kk.html",
                f"matrix/{ON}.html", "matrix/2021-06-01.html", "matrix/2022-06-01.html",
                "matrix/2022-06-01-since-2021-06-01.html", f"gaps/{ON}.html",
                "gaps/2022-06-01.html", "changes.html", "graph.html", "timeline.html",
                "id/body/ministry-of-labour.html", "id/function/refugee-status.html",
                "id/act/law-477-iv.html", "id/act/law-477-iv/art-11.html",
                "id/system/berkut.html", "id/category/qandas.html", "id/place/south-korea.html",
                "id/programme/qandas-quota-2021.html", "id/rec/national-agency-for-migration.html",
                "id/event/transfer-2022.html", ".migkg-docs"):
        assert (root / rel).is_file(), rel
    onto = (root / "ontology/en.html").read_text(encoding="utf-8")
    # every class and property of ours, with definition, domain/range and superclasses
    for anchor in ("Assignment", "Committee", "body", "legalBasis", "quotaSize", "quote"):
        assert f'id="{anchor}"' in onto, anchor
    assert "Domain" in onto and "Range" in onto and "Superclasses" in onto
    assert "Definition" in onto and "Source" in onto
    ru = (root / "ontology/ru.html").read_text(encoding="utf-8")
    assert "Классы" in ru and "комитет" in ru  # Russian headings and labels
    kk = (root / "ontology/kk.html").read_text(encoding="utf-8")
    assert "Кластар" in kk and 'class="fallback" lang="en"' in kk  # falls back to en
    schemes = (root / "schemes/en.html").read_text(encoding="utf-8")
    assert 'id="role-lead"' in schemes and 'id="grade-A"' in schemes and 'id="raci-A"' in schemes
    assert re.search(r'broadMatch <a href="#raci-A">A</a>', schemes)  # lead → A
    card = (root / "id/function/refugee-status.html").read_text(encoding="utf-8")
    assert "Ministry of Internal Affairs" in card and "2021-12-31" in card
    assert "Ministry of Labour and Social Protection of Population" in card
    assert "2022-01-01" in card  # assignments over time: both sides of the transfer
    gaps = (root / "gaps/2022-06-01.html").read_text(encoding="utf-8")
    assert "National Agency for Migration" in gaps


def test_two_builds_are_byte_identical_and_replace_the_old_site(site, built_store, tmp_path):
    from kg.docs import build_docs

    root, _ = site
    first = _files(root)
    other = tmp_path / "again"
    build_docs(other, on=ON, store=built_store)
    assert _files(other) == first
    # rebuilding over an earlier site replaces it as a whole (a stray file goes)
    (other / "stray.html").write_text("x", encoding="utf-8")
    build_docs(other, on=ON, store=built_store)
    assert _files(other) == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_cli_refuses_a_folder_that_is_not_a_site(built_store, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    code, out, err = run_cli("docs", "-o", str(folder), store=built_store)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "not a `migkg docs` site" in err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    afile = tmp_path / "file.html"
    afile.write_text("x", encoding="utf-8")
    code, _, err = run_cli("docs", "-o", str(afile), store=built_store)
    assert code == 2 and "not a folder" in err
    code, _, err = run_cli("docs", "-o", str(tmp_path / "x"), "--on", "2024-13-01",
                           store=built_store)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, value))
            if name == "id" and value:
                self.ids.add(value)


def test_every_internal_link_resolves(site):
    root, _ = site
    parsed: dict[str, _Links] = {}
    for path in sorted(root.rglob("*.html")):
        p = _Links()
        p.feed(path.read_text(encoding="utf-8"))
        parsed[path.relative_to(root).as_posix()] = p
    assert len(parsed) > 250
    checked, broken = 0, []
    for rel, p in parsed.items():
        for tag, value in p.links:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https"):
                assert tag == "a", (rel, tag, value)  # only links leave the site, no loads
                continue
            assert parts.scheme == "" and not value.startswith("/"), (rel, value)
            target = rel if not parts.path else posixpath.normpath(
                posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
            checked += 1
            exists = not target.startswith("../") and (root / target).is_file()
            anchored = not parts.fragment or target not in parsed or \
                unquote(parts.fragment) in parsed[target].ids
            if not (exists and anchored):
                broken.append((rel, value))
    assert checked > 5000
    assert broken == []


# --- in the browser --------------------------------------------------------------------------



def _open(browser, path: Path, wait: int = 300):
    """Open a file of the site; return (context, page, console errors, foreign requests)."""
    watched = WatchedPage(browser, viewport=(1300, 1000))
    watched.page.goto(path.as_uri(), wait_until="load", timeout=60_000)
    watched.page.wait_for_timeout(wait)
    return watched.context, watched.page, watched.errors, watched.blocked


SAMPLE = ("index.html", "entities.html", "ontology/en.html", "ontology/ru.html",
          "ontology/kk.html", "schemes/en.html", "schemes/kk.html",
          "id/body/ministry-of-labour.html", "id/function/refugee-status.html",
          "id/act/law-477-iv/art-11.html", "id/system/berkut.html", "id/place/kazakhstan.html",
          "id/rec/national-agency-for-migration.html", "id/source/mussina-paper.html",
          f"matrix/{ON}.html", "matrix/2022-06-01-since-2021-06-01.html",
          "gaps/2022-06-01.html", "changes.html", "graph.html", "timeline.html")


@pytest.mark.parametrize("rel", SAMPLE)
def test_pages_in_chromium(site, browser, output_dir, rel):
    root, _ = site
    context, page, errors, foreign = _open(browser, root / rel,
                                           wait=1500 if rel == "graph.html" else 300)
    title = page.title()
    name = "docs-" + rel.replace("/", "-").removesuffix(".html")
    page.screenshot(path=str(output_dir / f"{name}.png"))
    context.close()
    assert title
    assert errors == []
    assert foreign == []


def test_a_link_leads_to_the_entity_page_in_chromium(site, browser):
    root, _ = site
    context, page, errors, foreign = _open(browser, root / "entities.html")
    page.click("a[href='id/body/ministry-of-labour.html']")
    page.wait_for_load_state("load")
    assert page.url.endswith("/id/body/ministry-of-labour.html")
    page.click("a[href$='refugee-status.html']")
    page.wait_for_load_state("load")
    assert "Ministry of Internal Affairs" in page.inner_text("body")
    context.close()
    assert errors == [] and foreign == []


# --- hostile labels --------------------------------------------------------------------------

_HOSTILE_TTL = textwrap.dedent(f"""\
    @prefix mig: <https://w3id.org/migkg/ontology#> .
    @prefix body: <https://w3id.org/migkg/id/body/> .
    @prefix fn: <https://w3id.org/migkg/id/function/> .
    @prefix asg: <https://w3id.org/migkg/id/assignment/> .
    @prefix period: <https://w3id.org/migkg/id/period/> .
    @prefix role: <https://w3id.org/migkg/role/> .
    @prefix grade: <https://w3id.org/migkg/grade/> .
    @prefix src: <https://w3id.org/migkg/id/source/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix dcterms: <http://purl.org/dc/terms/> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix time: <http://www.w3.org/2006/time#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

    body:hostile a mig:Ministry ;
        rdfs:label "{HOSTILE}"@en ;
        dcterms:source src:mussina-paper .
    mig:Ministry rdfs:label "{HOSTILE_KK}"@kk .
    asg:hostile--refugee-status--co-executor a mig:Assignment ;
        mig:body body:hostile ; mig:function fn:refugee-status ; mig:role role:co-executor ;
        mig:period period:hostile ; mig:evidenceGrade grade:D ;
        mig:legalBasisStatus mig:NotStatedInSources ;
        prov:wasDerivedFrom src:mussina-paper ; dcterms:source src:mussina-paper .
    period:hostile a time:Interval ; time:hasBeginning period:hostile-start .
    period:hostile-start a time:Instant ; time:inXSDDate "2020-01-01"^^xsd:date .
    """)


def test_labels_with_markup_show_as_text(browser, tmp_path, output_dir):
    from kg.docs import build_docs
    from kg.store import build

    extra = tmp_path / "hostile.ttl"
    extra.write_text(_HOSTILE_TTL, encoding="utf-8")
    store = tmp_path / "store"
    build(store, extra=[extra], progress=False)
    out = tmp_path / "site"
    build_docs(out, on=ON, store=store)
    for rel in ("id/body/hostile.html", "entities.html", "id/function/refugee-status.html",
                "ontology/kk.html", f"matrix/{ON}.html", "graph.html"):
        context, page, errors, foreign = _open(browser, out / rel,
                                               wait=1500 if rel == "graph.html" else 200)
        xss = page.evaluate("typeof window.__xss")
        text = page.inner_text("body") if rel != "graph.html" else HOSTILE
        if rel == "id/body/hostile.html":
            page.screenshot(path=str(output_dir / "docs-hostile-label.png"))
            assert page.title().startswith(HOSTILE)
        context.close()
        assert xss == "undefined", rel
        assert (HOSTILE_KK if rel == "ontology/kk.html" else HOSTILE) in text, rel
        assert errors == [] and foreign == [], rel
    raw = (out / "id/body/hostile.html").read_text(encoding="utf-8")
    assert "<img src=x" not in raw and "&lt;img src=x onerror=window.__xss=1&gt;" in raw


# --- issue 9, done when: an imported Migration Committee assignment gets its page -------------

def test_imported_migration_committee_appears_in_the_docs(tmp_path):
    from tests.test_import import _ASSIGNMENT, _data_copy, _fill, _template

    data = _data_copy(tmp_path)
    template = _template(tmp_path, data, "assignments")
    filled = tmp_path / "filled.xlsx"
    _fill(template, {"assignments": [_ASSIGNMENT]}, filled)
    code, out, err = run_cli("import", str(filled), "--data-dir", str(data), "--skip", "owl",
                             timeout=600)
    assert code == 0, out + err
    store = tmp_path / "store"
    code, out, err = run_cli("build", "--store", str(store), "--data-dir", str(data), "-q")
    assert code == 0, out + err
    site = tmp_path / "site"
    code, out, err = run_cli("docs", "-o", str(site), "--on", "2023-06-01", "--lang", "en",
                             "ru", store=store, timeout=600)
    assert code == 0, out + err
    assert "wrote" in err and "entity pages" in err
    page = (site / "id/body/migration-committee.html").read_text(encoding="utf-8")
    assert "Assignments over time (1)" in page
    assert "2023-01-01 .. open" in page and "implement-migration-policy.html" in page
    fn_page = (site / "id/function/implement-migration-policy.html").read_text(encoding="utf-8")
    assert "migration-committee.html" in fn_page
    matrix = (site / "matrix/2023-06-01.html").read_text(encoding="utf-8")
    assert "Migration Committee of the Ministry of Labour" in matrix
    assert (site / "ontology/ru.html").is_file() and not (site / "ontology/kk.html").exists()

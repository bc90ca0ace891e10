"""The web explorer of ``migkg serve``: pages over HTTP, then in headless chromium.

Playwright drives Debian's /usr/bin/chromium (never ``playwright install``); any request
to a host other than the server is aborted and counted (must be 0), and every page must
load with no console error. Screenshots go to tests/output/.
"""

from __future__ import annotations

import urllib.parse

import pyoxigraph as ox
import pytest

from tests.conftest import WatchedPage
from tests.test_server import Server, http

MLSPP = "https://w3id.org/migkg/id/body/ministry-of-labour"
PAGES = {
    "explore": "/explore",
    "who": "/explore/who?" + urllib.parse.urlencode({"q": "work permits", "on": "2022-06-01"}),
    "who-none": "/explore/who?q=zzqqxxyy",
    "gaps": "/explore/gaps?on=2022-06-01",
    "entity": "/id/body/ministry-of-labour",
    "term": "/ontology%23Ministry",
    "graph": "/explore/graph?" + urllib.parse.urlencode({"focus": MLSPP, "depth": "1"}),
}


@pytest.fixture(scope="module")
def explorer(built_store):
    srv = Server(built_store, "--timeout", "20")
    srv.base = srv.url.rsplit("/sparql", 1)[0]
    yield srv
    assert srv.stop() == 0


def test_pages_over_http(explorer):
    for name, path in PAGES.items():
        status, headers, body = http("GET", explorer.base + path,
                                     headers={"Accept": "text/html"})
        assert status == 200, (name, body[:300])
        assert headers["Content-Type"].startswith("text/html")
    status, _, body = http("GET", explorer.base + PAGES["who"], headers={"Accept": "text/html"})
    text = body.decode()
    assert "Ministry of Labour and Social Protection of Population" in text
    assert "/id/body/ministry-of-labour" in text  # answers link to entity pages
    assert "evidence" in text
    status, _, body = http("GET", explorer.base + "/id/body/no-such-body",
                           headers={"Accept": "text/html"})
    assert status == 404


def test_entity_rdf_on_accept(explorer, store):
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE),
                        ("application/ld+json", ox.RdfFormat.JSON_LD),
                        ("application/n-triples", ox.RdfFormat.N_TRIPLES)):
        status, headers, body = http("GET", explorer.base + PAGES["entity"],
                                     headers={"Accept": accept})
        assert status == 200
        assert headers["Content-Type"].startswith(accept)
        triples = {q.triple for q in ox.parse(body, format=fmt)}
        node = ox.NamedNode(MLSPP)
        local = {q.triple for q in store.quads_for_pattern(node, None, None)}
        local |= {q.triple for q in store.quads_for_pattern(None, None, node)}
        assert triples == local


@pytest.fixture(scope="module")
def store(built_store):
    from kg.store import open_store

    return open_store(built_store)




@pytest.mark.parametrize("name", list(PAGES))
def test_pages_in_chromium(explorer, browser, output_dir, name):
    origin = explorer.base
    watched = WatchedPage(browser, allowed=(origin + "/", "data:"))
    page = watched.page
    response = page.goto(origin + PAGES[name], wait_until="load", timeout=60_000)
    assert response is not None and response.status == 200
    page.wait_for_timeout(500)
    page.screenshot(path=str(output_dir / f"explorer-{name}.png"))
    watched.close()
    assert watched.errors == []
    assert watched.blocked == []


def test_search_form_in_chromium(explorer, browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(explorer.base + "/explore")
    page.fill("input[name=q]", "refugee status")
    page.fill("input[name=on]", "2021-06-01")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert "/explore/who?" in page.url
    assert "Ministry of Internal Affairs" in page.content()
    context.close()
    assert errors == []

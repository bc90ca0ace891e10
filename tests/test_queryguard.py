"""``kg.queryguard``: SERVICE and updates are found by tokens, not by substrings."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.kinds import kind_values_clause
from kg.namespaces import sparql_prologue
from kg.queryguard import inspect_query

FEDERATED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x/> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:9/x/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    # keyword glued to what comes before or after (Oxigraph matches keywords that way)
    "SELECT * WHERE { ?s ?p 1SERVICE <http://127.0.0.1:9/e/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p trueSERVICE <http://127.0.0.1:9/e/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICESILENT<http://127.0.0.1:9/e/>{ ?s ?p ?o } }",
    "PREFIX : <http://127.0.0.1:9/e/> SELECT * WHERE { SERVICE:x{ ?s ?p ?o } }",
    # '<' as less-than followed by a comment: a naive IRI reading would hide the keyword
    "SELECT * WHERE { ?s ?p ?o FILTER(?s<?o)SERVICE#>\n<http://127.0.0.1:9/e/>{ ?s ?p ?o } }",
    "SELECT * WHERE { ?s <http://127.0.0.1:9/x/it's> ?o . FILTER(?a<?b)SERVICE#>\n"
    "<http://127.0.0.1:9/e/>{ ?s ?p ?o } ?x ?y 'z' }",
    'SELECT * WHERE { ?s ?p ?o FILTER(?o<5) SERVICE#> """\n<http://127.0.0.1:9/e/> { } # """\n}',
]

PLAIN = [
    'SELECT * WHERE { ?s ?p "public service" }',
    "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:9/e/> { }' }",
    'SELECT * WHERE { ?s ?p """multi\nSERVICE <http://127.0.0.1:9/e/> {}\n""" }',
    "SELECT ?service WHERE { ?service ?p ?o } # SERVICE <http://127.0.0.1:9/e/> { }",
    "SELECT * WHERE { ?s <http://127.0.0.1:9/x/SERVICE> ?o }",
    "PREFIX kind: <https://w3id.org/migkg/kind/> SELECT * WHERE { ?f ?k kind:service }",
    "SELECT * WHERE { ?s a <https://w3id.org/migkg/ontology#PublicService> }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 5) FILTER(?s != <urn:service>) }",
    "SELECT * WHERE { VALUES (?a ?b) { (<urn:a> <urn:service>) } }",
    "SELECT * WHERE { FILTER(EXISTS { ?s <urn:service> ?o }) }",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # mig:PublicService",
    sparql_prologue() + "SELECT ?kind WHERE { " + kind_values_clause() + " ?x a ?kindClass }",
]


@pytest.mark.parametrize("query", FEDERATED)
def test_service_found(query):
    assert inspect_query(query).uses_service


@pytest.mark.parametrize("query", PLAIN)
def test_no_false_alarm(query):
    assert not inspect_query(query).uses_service


@pytest.mark.parametrize("query", FEDERATED + PLAIN)
def test_cases_are_real_sparql(query):
    """Every case parses for Oxigraph, so the tests are about queries it would run."""
    store = ox.Store()
    try:
        store.query(query, prefixes={"ex": "http://127.0.0.1:9/e/"})
    except SyntaxError as err:  # pragma: no cover - the case itself would be wrong
        pytest.fail(f"not valid SPARQL for Oxigraph: {err}")
    except (OSError, RuntimeError):
        pass  # evaluation errors (unbound service variable) are fine: it parsed


def test_ambiguous_less_than_with_the_word_service_is_refused():
    query = "SELECT * WHERE { ?s ?p ?o FILTER(?o<5&&?s>3) } # service"
    info = inspect_query(query)
    assert info.ambiguous
    assert info.uses_service
    assert not inspect_query(query.replace("service", "x")).uses_service


@pytest.mark.parametrize("query,update", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", True),
    ("PREFIX a: <urn:a:> BASE <urn:x> DELETE WHERE { ?s ?p ?o }", True),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
    ("load <http://127.0.0.1:9/e/data.ttl>", True),
    ("DROP ALL", True),
    ("PREFIX insert: <urn:x:> SELECT * WHERE { ?s ?p insert:x }", False),
    ("SELECT * WHERE { ?s ?p 'INSERT' }", False),
])
def test_update_detection(query, update):
    assert inspect_query(query).is_update is update


@pytest.mark.parametrize("query,form", [
    ("PREFIX select: <urn:x:> CONSTRUCT WHERE { ?s select:p ?o }", "CONSTRUCT"),
    ("# SELECT\nASK { ?s ?p ?o }", "ASK"),
    ("DESCRIBE <urn:x>", "DESCRIBE"),
    ("BASE <urn:x> SELECT * WHERE { ?s ?p ?o }", "SELECT"),
])
def test_form(query, form):
    assert inspect_query(query).form == form

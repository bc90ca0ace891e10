"""``migkg query``: typed --bind, --list, the W3C result formats, stdin, errors, hostile input."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import UsageError
from kg.querying import parse_bind, parse_binds
from tests.conftest import run_cli

XSD = "http://www.w3.org/2001/XMLSchema#"
FN = "https://w3id.org/migkg/id/function/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


# --- --bind typing -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "term"), [
    ("2022-06-01", ox.Literal("2022-06-01", datatype=ox.NamedNode(XSD + "date"))),
    ("42", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
    ("-7", ox.Literal("-7", datatype=ox.NamedNode(XSD + "integer"))),
    ("<https://example.org/x>", ox.NamedNode("https://example.org/x")),
    ("fn:refugee-status", ox.NamedNode(FN + "refugee-status")),
    ("mig:Function", ox.NamedNode("https://w3id.org/migkg/ontology#Function")),
    ('"разрешение на работу"@ru', ox.Literal("разрешение на работу", language="ru")),
    ('"1.5"^^xsd:decimal', ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal"))),
    ('"quoted"', ox.Literal("quoted")),
    ("work permits", ox.Literal("work permits")),
    ("foo:bar", ox.Literal("foo:bar")),          # not a prefix of the model: plain text
    ("http://x.org/a", ox.Literal("http://x.org/a")),
    ("", ox.Literal("")),
    ("} ; DROP ALL", ox.Literal("} ; DROP ALL")),
])
def test_bind_values_are_typed(text, term):
    assert parse_bind(text) == term


@pytest.mark.parametrize("bad", ["2022-13-01", "<not an iri>", "<>", '"x"@', '"x"@1-'])
def test_bad_bind_values_are_usage_errors(bad):
    try:
        parse_bind(bad)
    except UsageError:
        return
    # a value that is not an error must be a plain string, never something else
    assert parse_bind(bad) == ox.Literal(bad)


@pytest.mark.parametrize("item", ["on", "=2022-01-01", "1x=3", "a b=1", "?=1"])
def test_bad_bind_items(item):
    with pytest.raises(UsageError):
        parse_binds([item])


# --- --list ----------------------------------------------------------------------------------

def test_list_names_and_titles(built_store):
    code, out, err = run_cli("query", "--list", store=built_store)
    assert code == 0, err
    names = [line.split()[0] for line in out.splitlines()]
    for i in range(1, 21):
        assert any(n.startswith(f"cq/cq{i:02d}-") for n in names), i
    assert {"assignments-on-date", "acts", "functions-by-body", "statistics"} <= set(names)
    assert any(n.startswith("gaps/") for n in names)
    assert "Who issues permits to labour immigrants working for individuals?" in out
    code, out, _ = run_cli("query", "--list", "--format", "json", store=built_store)
    entries = json.loads(out)
    cq05 = next(e for e in entries if e["name"] == "cq/cq05-permits-individuals")
    assert cq05["answers"] == "CQ05" and "on" in cq05["parameters"]


def test_every_library_query_has_the_header():
    from kg.queries import all_queries

    for q in all_queries():
        if q.name.startswith("checks/"):
            continue
        for key in ("title", "answers", "description", "parameters", "example"):
            assert q.header.get(key), (q.name, key)
        assert q.header["example"].startswith("migkg query ")
        assert "PREFIX" in q.text or "prefix" not in q.text.lower()


# --- formats ---------------------------------------------------------------------------------

def _run(store, *args):
    code, out, err = run_cli("query", "cq05-permits-individuals", "--bind", "on=2021-06-01",
                             *args, store=store)
    assert code == 0, err
    return out


def test_json_csv_tsv_agree(built_store):
    data = json.loads(_run(built_store, "--format", "json"))
    variables = data["head"]["vars"]
    bindings = data["results"]["bindings"]
    assert bindings and variables[0] == "on"
    assert bindings[0]["on"] == {"type": "literal", "value": "2021-06-01",
                                 "datatype": XSD + "date"}
    assert bindings[0]["body"]["type"] == "uri"
    assert any(b.get("functionLabel", {}).get("xml:lang") == "en" for b in bindings)

    text = _run(built_store, "--format", "csv")  # (text mode reads the spec's CRLF as \n)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == variables
    assert len(rows) - 1 == len(bindings)
    for row, b in zip(rows[1:], bindings, strict=True):
        assert row == [b[v]["value"] if v in b else "" for v in variables]

    tsv = _run(built_store, "--format", "tsv").rstrip("\n").split("\n")
    assert tsv[0].split("\t") == [f"?{v}" for v in variables]
    for line, b in zip(tsv[1:], bindings, strict=True):
        for cell, v in zip(line.split("\t"), variables, strict=True):
            if v not in b:
                assert cell == ""
                continue
            term = next(iter(ox.parse(f"<urn:s> <urn:p> {cell} .".encode(),
                                      format=ox.RdfFormat.N_TRIPLES))).object
            assert term.value == b[v]["value"]


def test_csv_lines_end_with_crlf(built_store):
    from kg.querying import format_result, query

    result = query("cq05-permits-individuals", {"on": "2021-06-01"}, store=built_store)
    assert format_result(result, "csv").count("\r\n") == len(result.rows) + 1


def test_table_uses_curies(built_store):
    out = _run(built_store)
    assert "body:ministry-of-internal-affairs" in out
    assert "(1 row)" in out or "rows)" in out


def test_construct_gives_turtle_and_ntriples(built_store):
    query = ("PREFIX body: <https://w3id.org/migkg/id/body/> "
             "CONSTRUCT { body:iom ?p ?o } WHERE { body:iom ?p ?o }")
    code, ttl, err = run_cli("query", query, "--format", "ttl", store=built_store)
    assert code == 0, err
    assert "@prefix body:" in ttl
    graph = list(ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE))
    code, nt, _ = run_cli("query", query, "--format", "nt", store=built_store)
    assert {q.triple for q in graph} == {
        q.triple for q in ox.parse(nt.encode(), format=ox.RdfFormat.N_TRIPLES)}
    code, _, err = run_cli("query", query, "--format", "csv", store=built_store)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_ask(built_store):
    code, out, _ = run_cli("query", "ASK { ?s ?p ?o }", "--format", "json", store=built_store)
    assert code == 0 and json.loads(out) == {"head": {}, "boolean": True}


def test_stdin_and_file(built_store, tmp_path):
    text = (
        "# title: bodies\n# parameters: ?on (xsd:date, default today)\n"
        "PREFIX mig: <https://w3id.org/migkg/ontology#>\n"
        "SELECT ?on (COUNT(?a) AS ?n) WHERE { ?a a mig:Assignment } GROUP BY ?on"
    )
    code, out, err = run_cli("query", "-", "--format", "json", "--bind", "on=2022-06-01",
                             input=text, store=built_store)
    assert code == 0, err
    row = json.loads(out)["results"]["bindings"][0]
    assert row["on"]["value"] == "2022-06-01" and int(row["n"]["value"]) > 20
    path = tmp_path / "mine.rq"
    path.write_text(text, encoding="utf-8")
    code, out2, _ = run_cli("query", str(path), "--format", "json", "--bind", "on=2022-06-01",
                            store=built_store)
    assert code == 0 and json.loads(out2) == json.loads(out)


@pytest.mark.parametrize("args", [
    ("SELECT ?x WHERE { ?x",),                       # malformed
    ("SELEC ?x WHERE { }",),
    ("no-such-query",),
    ("missing.rq",),
    ("cq05-permits-individuals", "--bind", "nosuchvar=1"),
    ("cq05-permits-individuals", "--bind", "on"),
    ("cq05-permits-individuals", "--bind", "on=2022-02-30"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }",),
    ("DROP ALL",),
    (),
])
def test_errors_are_one_line_exit_2(built_store, args):
    code, out, err = run_cli("query", *args, store=built_store)
    assert code == 2, (out, err)
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("migkg")


# --- hostile --bind values ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def triple_count(built_store):
    from kg.querying import query

    return int(query(COUNT, store=built_store).rows[0]["n"].value)


HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(['"', "'", "}", "{", ";", "DROP ALL", "} ; DROP ALL ; {", '"} UNION {',
                     "<urn:x> } INSERT DATA { <urn:a> <urn:b> <urn:c> }", "\x00", "\n\r\t",
                     '"x"@ru } #', "fn:} DROP", "x" * 5000, "", "?on", "$on", "\\u0022"]),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=HOSTILE, name=st.sampled_from(["topic", "on"]))
def test_hostile_bind_values_are_harmless(built_store, triple_count, value, name):
    from kg.querying import query

    target = "cq16-eaeu-labour-migration" if name == "topic" else "cq05-permits-individuals"
    try:
        result = query(target, {name: value}, store=built_store)
    except UsageError as err:
        assert "\n" not in str(err)
    else:
        assert result.form == "SELECT"
    assert int(query(COUNT, store=built_store).rows[0]["n"].value) == triple_count


@pytest.mark.parametrize("value", ['} ; DROP ALL ; {', '"x"@ru } #', "\x01\x02", "x" * 3000,
                                   '"> INSERT DATA { <urn:a> <urn:b> <urn:c> } #'])
def test_hostile_bind_through_the_cli(built_store, triple_count, value):
    code, out, err = run_cli("query", "cq16-eaeu-labour-migration", "--bind", f"topic={value}",
                             "--format", "json", store=built_store)
    assert code in (0, 2) and "Traceback" not in err
    if code == 0:
        assert json.loads(out)["results"]["bindings"] == []
    code, out, _ = run_cli("query", COUNT, "--format", "csv", store=built_store)
    assert int(out.splitlines()[1]) == triple_count


def test_python_api(built_store):
    import kg

    result = kg.query("cq05-permits-individuals", {"on": "2022-06-01"}, store=built_store)
    assert result.form == "SELECT"
    assert {r["body"].value for r in result.rows} == {
        "https://w3id.org/migkg/id/body/ministry-of-labour"}
    assert result.to_w3c_json()["head"]["vars"] == result.variables


def test_a_parameter_is_bound_in_every_subquery_that_names_it():
    """?on is visible inside a subquery (which SPARQL scoping would otherwise hide), so a
    subquery can cut its rows by date; the bound text is a term, never syntax."""
    from kg.sparql import EmbeddedBackend

    store = ox.Store()
    query = ('SELECT ?inner WHERE { { SELECT ?inner WHERE { BIND(STR(?on) AS ?inner) } } }'
             ' # WHERE { in a comment is not a group')
    rows = EmbeddedBackend(store).select(query, {"on": ox.Literal('x" } DROP ALL {')})
    assert [r["inner"].value for r in rows.rows] == ['x" } DROP ALL {']


def test_a_subquery_that_does_not_name_the_parameter_gets_no_binding_block():
    """A VALUES block in a group that does not use it would be a cross join on every row."""
    from kg.sparql import inject_values

    query = ("SELECT ?on ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } }"
             " { SELECT ?s WHERE { ?s ?q ?d FILTER(?d < ?on) } } }")
    bound = inject_values(query, {"on": ox.Literal("2022-06-01")})
    assert bound.count("VALUES") == 2
    assert "{ SELECT ?s WHERE { ?s ?p ?o } }" in bound

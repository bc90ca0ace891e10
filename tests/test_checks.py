"""The check queries (queries/checks/*-violation.rq) on a graph that breaks each of them.

The expected lines were produced by the plain formulations the checks had before they were
rewritten to run fast on large graphs; the rewritten ones must find exactly the same rows,
edge cases included (untyped but described subjects, literals that look like our IRIs, blank
nodes, a thing with two types, a period with two end dates, a data set without structure).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.namespaces import turtle_prologue
from kg.store import load_files, run_checks, source_files

VIOLATIONS = turtle_prologue() + """\
asg:zz-x a mig:Assignment ; mig:body body:no-such-body , body:no-such-body2 ;
  mig:role role:no-such-role ; rdfs:seeAlso mig:NoSuchOntologyTerm , <http://example.org/ext> ;
  rdfs:comment "https://w3id.org/migkg/id/body/literal-not-iri" ;
  dcterms:source src:mussina-paper .
asg:zz-y a mig:Assignment ; mig:body body:no-such-body , [ rdfs:label "bnode"@en ] ;
  mig:body body:untyped-but-described ; dcterms:source src:mussina-paper .
body:untyped-but-described rdfs:label "described without a type"@en .
<https://w3id.org/migkg/other/untyped> rdfs:label "x" .
asg:zz-z mig:body <https://w3id.org/migkg/other/untyped> , <https://w3id.org/migkgx/notours> ,
  <https://w3id.org/migkg/> .
asg:zz-more a mig:Assignment ; mig:evidenceGrade grade:Z ; mig:body body:typed-only ;
  dcterms:source src:mussina-paper .
body:typed-only a org:Organization ; dcterms:source src:mussina-paper .

body:zz-nosource a org:Organization .
body:zz-twotypes a org:Organization , mig:Body .
src:zz-nosource a mig:SourceDocument .
period:zz-nosource a time:Instant .
<https://w3id.org/migkg/id/scheme/zz> a skos:ConceptScheme .
<https://w3id.org/migkg/id/scheme/zz2> a skos:ConceptScheme , skos:Collection .
[ a mig:Assignment ] .
<https://w3id.org/migkg/other/typed> a org:Organization .

asg:zz-u a mig:UndeclaredClass , prov:UndeclaredToo , "literal type" ,
    <http://xmlns.com/foaf/0.1/Person> ;
  mig:undeclaredProp 1 ; mig:UndeclaredClass 2 ; dcterms:undeclaredDc "x" ;
  <http://xmlns.com/foaf/0.1/name> "n" ; dcterms:source src:mussina-paper .
_:b a mig:UndeclaredClass .

mig:ZzUndocumented a owl:Class .
mig:zzHalf a owl:ObjectProperty ; rdfs:label "half"@en .

period:zz-bad a time:Interval ; time:hasBeginning period:zz-b ; time:hasEnd period:zz-e .
period:zz-b a time:Instant ; time:inXSDDate "2020-01-01"^^xsd:date .
period:zz-e a time:Instant ; time:inXSDDate "2019-01-01"^^xsd:date , "2018-05-05"^^xsd:date .
period:zz-open a time:Interval ; time:hasBeginning period:zz-b .

stat:zz-obs a qb:Observation ; qb:dataSet stat:qandas-returns ;
  mig:count 5 , 6 ; mig:share "1"^^xsd:decimal ;
  mig:origin <https://w3id.org/migkg/id/place/uzbekistan> ;
  mig:quote "q" ; rdfs:comment "not mig" ; dcterms:source src:mussina-paper .
stat:zz-obs2 a qb:Observation ; qb:dataSet stat:zz-nostructure ;
  mig:origin <https://w3id.org/migkg/id/place/uzbekistan> ; dcterms:source src:mussina-paper .
stat:zz-nostructure a qb:DataSet ; dcterms:source src:mussina-paper .

asg:zz-ga a mig:Assignment ; mig:evidenceGrade grade:A ; prov:wasDerivedFrom src:mussina-paper ;
  dcterms:source src:mussina-paper .
asg:zz-gb a mig:Assignment ; mig:evidenceGrade grade:B ; prov:wasDerivedFrom act:law-477-iv ;
  dcterms:source src:mussina-paper .
asg:zz-gd a mig:Assignment ; mig:evidenceGrade grade:D ; prov:wasDerivedFrom act:law-477-iv ;
  dcterms:source src:mussina-paper .
"""

EXPECTED = [
    "dangling-reference-violation: ?subject=asg:zz-more, ?property=mig:evidenceGrade, "
    "?object=grade:Z",
    "dangling-reference-violation: ?subject=asg:zz-x, ?property=mig:body, "
    "?object=body:no-such-body",
    "dangling-reference-violation: ?subject=asg:zz-x, ?property=mig:body, "
    "?object=body:no-such-body2",
    "dangling-reference-violation: ?subject=asg:zz-x, ?property=mig:role, "
    "?object=role:no-such-role",
    "dangling-reference-violation: ?subject=asg:zz-y, ?property=mig:body, "
    "?object=body:no-such-body",
    "dangling-reference-violation: ?subject=asg:zz-z, ?property=mig:body, "
    "?object=https://w3id.org/migkg/",
    "evidence-grade-violation: ?claim=asg:zz-ga, ?grade=grade:A, "
    "?problem=graded A but cites no statute",
    "evidence-grade-violation: ?claim=asg:zz-gb, ?grade=grade:B, "
    "?problem=graded B but cites no by-law",
    "evidence-grade-violation: ?claim=asg:zz-gd, ?grade=grade:D, "
    "?problem=graded below B but cites a statute or by-law",
    "missing-source-violation: ?thing=body:zz-nosource",
    "missing-source-violation: ?thing=body:zz-twotypes",
    "missing-source-violation: ?thing=https://w3id.org/migkg/id/scheme/zz2",
    "observation-structure-violation: ?observation=stat:zz-obs, ?property=mig:origin, "
    "?structure=mig:dsd-qandas-returns",
    "observation-structure-violation: ?observation=stat:zz-obs, ?property=mig:share, "
    "?structure=mig:dsd-qandas-returns",
    "period-order-violation: ?interval=period:zz-bad, ?start=2020-01-01, ?end=2018-05-05",
    "period-order-violation: ?interval=period:zz-bad, ?start=2020-01-01, ?end=2019-01-01",
    "term-documentation-violation: ?term=mig:ZzUndocumented, ?missing=definition",
    "term-documentation-violation: ?term=mig:ZzUndocumented, ?missing=label@en",
    "term-documentation-violation: ?term=mig:ZzUndocumented, ?missing=label@ru",
    "term-documentation-violation: ?term=mig:zzHalf, ?missing=definition",
    "term-documentation-violation: ?term=mig:zzHalf, ?missing=label@ru",
    "undeclared-term-violation: ?term=dcterms:undeclaredDc, ?usage=property",
    "undeclared-term-violation: ?term=prov:UndeclaredToo, ?usage=class",
    "undeclared-term-violation: ?term=mig:Body, ?usage=class",
    "undeclared-term-violation: ?term=mig:UndeclaredClass, ?usage=class",
    "undeclared-term-violation: ?term=mig:UndeclaredClass, ?usage=property",
    "undeclared-term-violation: ?term=mig:undeclaredProp, ?usage=property",
]


@pytest.fixture(scope="module")
def violations(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("checks") / "violations.ttl"
    path.write_text(VIOLATIONS, encoding="utf-8")
    return path


@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "disk"])
def test_every_check_finds_exactly_its_violations(violations, tmp_path, on_disk):
    store = ox.Store(str(tmp_path / "store")) if on_disk else ox.Store()
    # on disk, the files load side by side as in a build (in memory, one by one: see load_files)
    load_files(store, source_files([violations]), progress=False, workers=2 if on_disk else 1)
    assert run_checks(store, limit=100) == EXPECTED


def test_checks_in_threads_and_one_by_one_agree(violations, monkeypatch):
    store = ox.Store()
    load_files(store, source_files([violations]), progress=False)
    parallel = run_checks(store, limit=2)
    monkeypatch.setattr("kg.store._processors", lambda: 1)
    assert run_checks(store, limit=2) == parallel
    assert parallel[2] == "dangling-reference-violation: … more rows"

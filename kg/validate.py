"""Validation of the source files: Turtle syntax, SHACL shapes, check queries, OWL reasoning.

Works on the files, not on a built store, so it can run before a build. Each stage adds
findings to one report; the CLI prints it and exits 1 when anything is found.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, UsageError
from kg.namespaces import compact
from kg.paths import resource_dir
from kg.store import _display, _syntax_error, load_files, run_checks, source_files

__all__ = ["Finding", "Report", "validate"]

STAGES = ("syntax", "shacl", "checks", "owl")


@dataclass(frozen=True)
class Finding:
    """One problem: the stage that found it, where (file or node), and what."""

    stage: str
    where: str
    message: str

    def line(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Report:
    """Everything a validation run found, stage by stage."""

    files: list[str] = field(default_factory=list)
    stages_run: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    triples: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


def _shapes_file() -> Path:
    return resource_dir("ontology") / "shapes.ttl"


def _check_syntax(files: Iterable[Path], report: Report) -> None:
    for path in files:
        try:
            for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                pass
        except SyntaxError as err:
            report.findings.append(Finding("syntax", "", str(_syntax_error(path, err))))


def _subject_files(files: Iterable[Path]) -> dict[str, str]:
    """Map each subject IRI to the first file that describes it, to locate SHACL findings."""
    where: dict[str, str] = {}
    for path in files:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(triple.subject, ox.NamedNode):
                where.setdefault(triple.subject.value, _display(path))
    return where


def _shacl(files: list[Path], shapes: Path, report: Report) -> None:
    import rdflib
    from pyshacl import validate as shacl_validate

    data = rdflib.Graph()
    for path in files:
        data.parse(path, format="turtle")
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    _conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes_graph, inference="rdfs", abort_on_first=False,
        allow_warnings=True,
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    located = _subject_files(files)
    lines = set()
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        severity = results.value(result, sh.resultSeverity)
        if severity != sh.Violation:
            continue
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        message = results.value(result, sh.resultMessage) or "violates a shape"
        node = compact(str(focus)) if isinstance(focus, rdflib.URIRef) else str(focus)
        where = f"{located.get(str(focus), '?')}: {node}"
        detail = str(message)
        if isinstance(path, rdflib.URIRef):
            detail += f" (path {compact(str(path))})"
        lines.add((where, detail))
    for where, detail in sorted(lines):
        report.findings.append(Finding("shacl", where, detail))


def _checks(files: list[Path], report: Report) -> None:
    store = ox.Store()
    load_files(store, files, progress=False)
    report.triples = len(store)
    for problem in run_checks(store, limit=20):
        name, _, detail = problem.partition(": ")
        report.findings.append(Finding("checks", name, detail))


def _owl(files: list[Path], report: Report) -> None:
    """Consistency and class satisfiability with HermiT (through owlready2, needs Java)."""
    if shutil.which("java") is None:
        raise UsageError("the OWL check needs Java (HermiT): install a JRE or pass --skip owl")
    import owlready2

    triples: list[ox.Triple] = []
    for path in files:
        triples.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    with tempfile.TemporaryDirectory(prefix="migkg-owl-") as tmp:
        nt = Path(tmp) / "all.nt"
        ox.serialize(triples, str(nt), ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        with open(nt, "rb") as fileobj:
            onto = world.get_ontology("https://w3id.org/migkg/validation").load(
                fileobj=fileobj, format="ntriples"
            )
        try:
            with onto:
                # xsd:date and xsd:gYear are outside OWL 2's datatype map; their values do
                # not bear on consistency here, so HermiT is told to ignore them.
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, keep_tmp_file=False,
                    ignore_unsupported_datatypes=True,
                )
        except owlready2.OwlReadyInconsistentOntologyError:
            report.findings.append(
                Finding("owl", "", "the ontology and data are inconsistent (HermiT)")
            )
            return
        except (OSError, subprocess.CalledProcessError) as err:
            raise UsageError(f"HermiT could not run: {err}") from None
        for cls in sorted(world.inconsistent_classes(), key=str):
            iri = getattr(cls, "iri", str(cls))
            report.findings.append(Finding("owl", compact(iri), "class is unsatisfiable (HermiT)"))


def validate(
    extra: Iterable[Path | str] = (),
    *,
    include_data: bool = True,
    skip: Iterable[str] = (),
    shapes: Path | None = None,
) -> Report:
    """Validate the ontology and the shipped data (plus ``extra`` files); return the report.

    A syntax error stops the later stages: they need every file parsed.
    """
    skip = set(skip)
    unknown = skip - set(STAGES)
    if unknown:
        raise UsageError(f"unknown stage(s) to skip: {', '.join(sorted(unknown))}")
    files = source_files(extra, include_data=include_data)
    shapes = shapes or _shapes_file()
    report = Report(files=[_display(f) for f in files])
    report.stages_run.append("syntax")
    _check_syntax([*files, shapes], report)
    if report.findings:
        return report
    if "shacl" not in skip:
        report.stages_run.append("shacl")
        _shacl(files, shapes, report)
    if "checks" not in skip:
        report.stages_run.append("checks")
        try:
            _checks(files, report)
        except InputError as err:  # pragma: no cover - syntax was checked above
            report.findings.append(Finding("checks", "", str(err)))
    if "owl" not in skip:
        report.stages_run.append("owl")
        _owl(files, report)
    return report

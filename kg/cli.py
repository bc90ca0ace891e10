"""The ``migkg`` command: it parses arguments and calls the plain functions of ``kg``.

Every error becomes one line on stderr and an exit code (0 ok, 1 bad input or violations,
2 usage or runtime error); nothing prints a traceback. Each subcommand imports only what it
needs, so light commands start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from kg.errors import MigkgError

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", metavar="PATH",
        help="store folder (default: $MIGKG_STORE or the user data dir)",
    )


# --- build -----------------------------------------------------------------------------------

def _cmd_build(args: argparse.Namespace) -> int:
    from kg.store import build

    data_dir = getattr(args, "data_dir", None)
    result = build(
        args.store, extra=[*([data_dir] if data_dir else []), *args.data], force=args.force,
        checks=not args.no_checks, progress=None if not args.quiet else False,
        include_data=not data_dir,
    )
    if result.unchanged:
        print(f"store {result.store}: unchanged ({result.triples} triples, {result.files} files)")
    else:
        print(
            f"built {result.store}: {result.triples} triples from {result.files} files "
            f"in {result.seconds:.2f} s"
        )
    if not args.quiet:
        from kg.stats import graph_stats
        from kg.store import open_store

        stats = graph_stats(open_store(result.store))
        print("  " + ", ".join(f"{k}: {v}" for k, v in stats.kinds.items() if v))
    return 0


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="load ontology + data into the embedded store (atomic)")
    _store_arg(p)
    p.add_argument("--data", action="append", default=[], metavar="PATH",
                   help="extra Turtle file or folder to load (repeatable)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="load the Turtle files of DIR instead of the shipped data/ "
                        "(e.g. a copy that `migkg import --data-dir DIR` wrote into)")
    p.add_argument("--force", action="store_true", help="rebuild even if the input is unchanged")
    p.add_argument("--no-checks", action="store_true", help="skip the check queries")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(handler=_cmd_build)


# --- stats -----------------------------------------------------------------------------------

def _cmd_stats(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from kg.sparql import connect
    from kg.stats import graph_stats

    backend = connect(args.store, args.endpoint)
    stats = graph_stats(getattr(backend, "store", backend))
    if args.format == "json":
        print(json.dumps(asdict(stats), indent=2, sort_keys=True, ensure_ascii=False))
        return 0
    print(f"triples: {stats.triples}")
    for title, table in (("things by kind", stats.kinds), ("assignments by role", stats.roles),
                         ("labels by language", stats.label_languages)):
        print(f"{title}:")
        width = max((len(k) for k in table), default=0)
        for key, value in table.items():
            print(f"  {key:<{width}}  {value}")
    return 0


def _add_stats(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="print what the graph holds")
    _store_arg(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead")
    p.set_defaults(handler=_cmd_stats)


# --- validate --------------------------------------------------------------------------------

def _cmd_validate(args: argparse.Namespace) -> int:
    from kg.validate import validate

    report = validate(args.data, include_data=not args.only, skip=args.skip)
    if args.format == "json":
        print(json.dumps({
            "ok": report.ok, "stages": report.stages_run, "files": report.files,
            "findings": [f.__dict__ for f in report.findings],
        }, indent=2, ensure_ascii=False))
    else:
        print(f"validated {len(report.files)} files; stages: {', '.join(report.stages_run)}")
        for finding in report.findings:
            print(f"  [{finding.stage}] {finding.line()}")
        print("OK: no violations" if report.ok else f"FAILED: {len(report.findings)} finding(s)")
    return 0 if report.ok else 1


def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate", help="check syntax, SHACL shapes, check queries and OWL (HermiT)"
    )
    p.add_argument("--data", action="append", default=[], metavar="PATH",
                   help="extra Turtle file or folder to validate with the graph (repeatable)")
    p.add_argument("--only", action="store_true",
                   help="validate only the --data files with the ontology, not the shipped data")
    p.add_argument("--skip", action="append", default=[], choices=("shacl", "checks", "owl"),
                   help="skip a stage (repeatable)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=_cmd_validate)


# --- export ----------------------------------------------------------------------------------

def _cmd_export(args: argparse.Namespace) -> int:
    if getattr(args, "profile", None):
        return _cmd_export_profile(args)
    if getattr(args, "on", None):
        raise _usage("--on is for --profile cpsv-ap (the whole graph has every date)")
    if args.format in ("xlsx", "csv"):
        return _cmd_export_records(args)
    from kg.export import export_graph
    from kg.sparql import connect

    backend = connect(args.store, args.endpoint)
    count = export_graph(getattr(backend, "store", backend), args.format, args.output)
    if args.output and args.output != "-":
        print(f"wrote {count} triples to {args.output}", file=sys.stderr)
    return 0


def _cmd_export_profile(args: argparse.Namespace) -> int:
    from kg.cpsv import export_cpsv

    if args.kind or getattr(args, "data_dir", None):
        raise _usage("--profile cpsv-ap reads the store or --endpoint; --kind and --data-dir "
                     "are for --format xlsx|csv")
    result = export_cpsv(args.on, args.format, args.output, store=args.store,
                         endpoint=args.endpoint)
    for service, reason in sorted(result.skipped.items()):
        print(f"migkg: note: {service} left out: {reason}", file=sys.stderr)
    if args.output and args.output != "-":
        print(f"wrote {len(result.services)} public services on {result.on} "
              f"({len(result.triples)} triples) to {args.output}", file=sys.stderr)
    return 0


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write the whole graph (ontology + data) as RDF")
    _store_arg(p)
    p.add_argument("--format", choices=("ttl", "nt", "jsonld", "xml", "xlsx", "csv"),
                   default="ttl",
                   help="RDF, or the records as a workbook / CSV in the `migkg import` layout")
    p.add_argument("--kind", action="append", default=[], metavar="KIND",
                   help="xlsx/csv: the sheet(s) to write (bodies, acts, articles, functions, "
                        "assignments, systems, programmes, quotas, statistics, sources, "
                        "recommendations; default all; csv: exactly one)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="xlsx/csv: read the Turtle files of DIR (with the ontology) "
                        "instead of the store")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    p.add_argument("--profile", choices=("cpsv-ap",),
                   help="write a standard view instead of the graph: cpsv-ap = the public "
                        "services as CPSV-AP 3.2.0 on --on DATE (RDF formats only)")
    p.add_argument("--on", metavar="DATE",
                   help="--profile: the date of the competent authorities (default today)")
    p.add_argument("--endpoint", metavar="URL",
                   help="read the graph from a SPARQL 1.1 endpoint (CONSTRUCT) instead")
    p.set_defaults(handler=_cmd_export)


# --- who / explain / diff (kg/who.py, kg/explain.py, kg/diff.py) ----------------------------

def _lookup_args(p: argparse.ArgumentParser, *, grade: bool = True) -> None:
    p.add_argument("--lang", default="en", choices=("en", "ru", "kk"),
                   help="language of the labels (falls back to en)")
    p.add_argument("--format", choices=("table", "json", "md"), default="table")
    if grade:
        p.add_argument("--min-grade", choices=("A", "B", "C", "D", "E"), type=str.upper,
                       help="keep only claims graded this or better (A statute … E inference)")
    _store_arg(p)
    p.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead")


def _cmd_who(args: argparse.Namespace) -> int:
    from kg.who import format_md, format_table, who

    result = who(args.text, on=args.on, lang=args.lang, limit=args.limit,
                 min_grade=args.min_grade, store=args.store, endpoint=args.endpoint)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif result.matched:
        print(format_md(result) if args.format == "md" else format_table(result))
    if not result.matched:
        hint = f"; closest: {', '.join(result.suggestions)}" if result.suggestions else ""
        print(f"migkg: no match for {result.query[:80]!r}{hint}", file=sys.stderr)
        return 1
    return 0


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return number


def _add_who(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("who", help="who is responsible for TEXT on a date, with the evidence")
    p.add_argument("text", metavar="TEXT", help='what to look up, e.g. "work permits", "Беркут"')
    p.add_argument("--on", metavar="DATE", help="the date (YYYY-MM-DD, default today)")
    p.add_argument("--limit", type=_positive_int, default=10, metavar="N",
                   help="at most N matches (default 10)")
    _lookup_args(p)
    p.set_defaults(handler=_cmd_who)


def _cmd_explain(args: argparse.Namespace) -> int:
    from kg.explain import explain, format_md, format_table

    card = explain(args.target, lang=args.lang, min_grade=args.min_grade, store=args.store,
                   endpoint=args.endpoint)
    if args.format == "json":
        print(json.dumps(card.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_md(card) if args.format == "md" else format_table(card))
    return 0


def _add_explain(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explain", help="one thing as a readable card (IRI, CURIE or text)")
    p.add_argument("target", metavar="IRI_OR_TEXT",
                   help="a full IRI, a CURIE such as body:ministry-of-labour, or text")
    _lookup_args(p)
    p.set_defaults(handler=_cmd_explain)


def _cmd_diff(args: argparse.Namespace) -> int:
    from kg.diff import diff, format_md, format_table

    result = diff(args.from_date, args.to_date, lang=args.lang, min_grade=args.min_grade,
                  store=args.store, endpoint=args.endpoint)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_md(result) if args.format == "md" else format_table(result))
    return 0


def _add_diff(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="responsibilities that began, ended or moved between dates")
    p.add_argument("--from", dest="from_date", required=True, metavar="DATE")
    p.add_argument("--to", dest="to_date", required=True, metavar="DATE")
    _lookup_args(p)
    p.set_defaults(handler=_cmd_diff)


# --- query / gaps (kg/querying.py, kg/gaps.py) -----------------------------------------------

def _cmd_query(args: argparse.Namespace) -> int:
    if args.list:
        from kg.queries import all_queries

        queries = all_queries()
        if args.format == "json":
            print(json.dumps([{"name": q.name, "title": q.title,
                               "answers": q.header.get("answers", ""),
                               "parameters": q.parameters} for q in queries],
                             indent=2, ensure_ascii=False))
            return 0
        width = max((len(q.name) for q in queries), default=0)
        for q in queries:
            print(f"{q.name:<{width}}  {q.title}")
        return 0
    if not args.query:
        raise _usage("a QUERY (library name, .rq file or -) is required unless --list")
    from kg.querying import format_result, parse_binds, query

    stdin = sys.stdin.read() if args.query == "-" else None
    result = query(args.query, parse_binds(args.bind), store=args.store,
                   endpoint=args.endpoint, stdin=stdin)
    sys.stdout.write(format_result(result, args.format))
    return 0


def _usage(message: str) -> Exception:
    from kg.errors import UsageError

    return UsageError(message)


def _add_query(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("query", help="run a query of the SPARQL library, a .rq file or stdin")
    p.add_argument("query", metavar="QUERY", nargs="?",
                   help="library name (cq05-permits-individuals), a .rq file, or - for stdin")
    p.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE",
                   help="bind a parameter as a typed RDF term: 2022-06-01 (date), 42, "
                        "<iri>, fn:refugee-status, '\"text\"@ru', or plain text (repeatable)")
    p.add_argument("--format", choices=("table", "json", "csv", "tsv", "ttl", "nt"),
                   default="table", help="W3C SPARQL results for json/csv/tsv; RDF for ttl/nt")
    p.add_argument("--list", action="store_true", help="list the library's queries and titles")
    _store_arg(p)
    p.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead")
    p.set_defaults(handler=_cmd_query)


def _cmd_gaps(args: argparse.Namespace) -> int:
    from kg.gaps import format_json, format_md, format_table, gaps

    if args.format == "ttl" and (args.by != "mgi" or args.kind or args.min_grade):
        raise _usage("--format ttl writes the counts of all findings by MGI domain as a "
                     "qb:DataSet: use it with --by mgi and without --kind or --min-grade")
    if args.output and args.format != "ttl":
        raise _usage("-o/--output is for --format ttl")
    report = gaps(args.on, store=args.store, endpoint=args.endpoint, min_grade=args.min_grade,
                  kinds=args.kind or None)
    by_mgi = args.by == "mgi"
    if args.format == "ttl":
        from kg.matrix import write
        from kg.mgistats import gap_counts_turtle
        from kg.sparql import connect

        text = gap_counts_turtle(report, connect(args.store, args.endpoint))
        if args.output and args.output != "-":
            write(text, args.output)
            print(f"wrote the MGI gap counts on {report.on} to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
    elif args.format == "json":
        print(format_json(report, by_mgi=by_mgi))
    elif args.format == "md":
        print(format_md(report, by_mgi=by_mgi))
    else:
        print(format_table(report, by_mgi=by_mgi))
    return 0


def _add_gaps(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gaps", help="coordination gaps on a date, from every gap query")
    p.add_argument("--on", metavar="DATE", help="the date (YYYY-MM-DD, default today)")
    p.add_argument("--format", choices=("table", "json", "md", "ttl"), default="table",
                   help="ttl (with --by mgi): the counts by MGI domain as a qb:DataSet")
    p.add_argument("--by", choices=("mgi",), help="group the findings by MGI domain, with counts")
    p.add_argument("-o", "--output", metavar="FILE", help="--format ttl: write to FILE")
    p.add_argument("--min-grade", choices=("A", "B", "C", "D", "E"), type=str.upper,
                   help="keep findings whose weakest evidence is this grade or better")
    p.add_argument("--kind", action="append", default=[], metavar="KIND",
                   help="only this kind of gap (repeatable)")
    _store_arg(p)
    p.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead")
    p.set_defaults(handler=_cmd_gaps)


# --- matrix (kg/matrix.py) -------------------------------------------------------------------

def _cmd_matrix(args: argparse.Namespace) -> int:
    from kg.matrix import matrix, render, write

    result = matrix(args.on, diff=args.diff, lang=args.lang, min_grade=args.min_grade,
                    store=args.store, endpoint=args.endpoint)
    text = render(result, args.format)
    if args.output and args.output != "-":
        path = write(text, args.output)
        print(f"wrote {path} ({len(result.functions)} functions × {len(result.bodies)} bodies, "
              f"{len(result.cells)} cells)", file=sys.stderr)
    else:
        sys.stdout.write(text.lstrip("\ufeff") if args.format != "csv" else text)
    return 0


def _add_matrix(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("matrix", help="the RACI matrix: functions × bodies on a date")
    p.add_argument("--on", metavar="DATE", help="the date (YYYY-MM-DD, default today)")
    p.add_argument("--diff", metavar="DATE", help="mark the cells that changed since DATE")
    p.add_argument("--format", choices=("table", "md", "csv", "json", "html"), default="table",
                   help="csv: UTF-8 with BOM; html: one self-contained offline page")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    p.add_argument("--lang", default="en", choices=("en", "ru", "kk"),
                   help="language of the labels (falls back to en)")
    p.add_argument("--min-grade", choices=("A", "B", "C", "D", "E"), type=str.upper,
                   help="keep only cells graded this or better (A statute … E inference)")
    _store_arg(p)
    p.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead")
    p.set_defaults(handler=_cmd_matrix)


# --- serve / publish (kg/server.py, kg/publish.py) -------------------------------------------

def _cmd_serve(args: argparse.Namespace) -> int:
    from kg.server import ServerConfig, default_workers, serve

    if args.workers is None:
        args.workers = default_workers()
    if args.workers < 1 or args.max_rows < 1 or args.timeout <= 0:
        raise MigkgError("--workers and --max-rows must be ≥ 1 and --timeout > 0")
    config = ServerConfig(
        store=args.store, host=args.host, port=args.port, timeout=args.timeout,
        max_rows=args.max_rows, workers=args.workers, max_inflight=args.max_inflight,
        quiet=args.quiet,
    )
    return serve(config)


def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the graph as a read-only SPARQL 1.1 endpoint")
    _store_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    p.add_argument("--port", type=int, default=8000, help="port (0 = any free port)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="time limit of one query in seconds (default: 10)")
    p.add_argument("--max-rows", type=int, default=10_000, metavar="N",
                   help="rows (or triples) returned at most; more are flagged (default: 10000)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="query worker processes (default: CPUs, between 2 and 4)")
    p.add_argument("--max-inflight", type=int, default=None, metavar="N",
                   help="queries running or waiting at once; beyond → 503 (default: 2×workers)")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-request log lines")
    p.set_defaults(handler=_cmd_serve)


def _cmd_publish(args: argparse.Namespace) -> int:
    import os

    from kg.publish import DEFAULT_GRAPH, publish

    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            raise MigkgError(f"environment variable {args.password_env} is not set")
    result = publish(
        args.endpoint, graph=args.graph or DEFAULT_GRAPH, store=args.store, user=args.user,
        password=password, method=args.method, timeout=args.timeout,
        update_url=args.update_url, gsp_url=args.gsp_url,
    )
    print(f"published {result.triples} triples to <{result.graph}> at {result.endpoint} "
          f"via {result.method}; verified: {result.remote_triples} triples in the graph")
    return 0


def _add_publish(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="replace a named graph of a SPARQL 1.1 store with the graph")
    _store_arg(p)
    p.add_argument("--endpoint", required=True, metavar="URL",
                   help="the store's base URL or its query/update/GSP URL (see README)")
    p.add_argument("--graph", metavar="IRI",
                   help="target named graph (default: https://w3id.org/migkg/graph)")
    p.add_argument("--user", metavar="U", help="user name for HTTP Basic authentication")
    p.add_argument("--password-env", metavar="VAR",
                   help="environment variable holding the password (never on the command line)")
    p.add_argument("--update-url", metavar="URL",
                   help="SPARQL Update URL (default: derived from --endpoint, see README)")
    p.add_argument("--gsp-url", metavar="URL",
                   help="Graph Store Protocol URL (default: derived from --endpoint)")
    p.add_argument("--method", choices=("auto", "gsp", "update"), default="auto",
                   help="Graph Store Protocol, SPARQL Update, or try GSP first (default)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S")
    p.set_defaults(handler=_cmd_publish)


# --- template / import / export --format xlsx|csv (kg/importer.py) -------------------------

def _records_view(args: argparse.Namespace):
    """The graph the spreadsheet commands read: DIR's Turtle files, or the built store."""
    from kg.records import GraphView

    if getattr(args, "data_dir", None):
        from kg.importer import graph_from_files

        store, where = graph_from_files(args.data_dir)
        return GraphView(store, where)
    from kg.store import open_store

    return GraphView(open_store(args.store))


def _cmd_export_records(args: argparse.Namespace) -> int:
    from kg.importer import export_workbook

    if getattr(args, "endpoint", None):
        raise _usage("--format xlsx|csv reads the store or --data-dir, not an endpoint")
    rows = export_workbook(_records_view(args), args.kind, args.output, args.format)
    if args.output and args.output != "-":
        print(f"wrote {rows} records to {args.output}", file=sys.stderr)
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from kg.importer import write_template

    rows = write_template(_records_view(args), args.kinds, args.output)
    print(f"wrote {args.output} ({rows} example rows)")
    return 0


def _add_template(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("template", help="write a spreadsheet to fill in for `migkg import`")
    p.add_argument("kinds", nargs="*", metavar="KIND",
                   help="bodies, acts, articles, functions, assignments, systems, programmes, "
                        "quotas, statistics, sources, recommendations (default: all)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="FILE.xlsx (one sheet per kind) or FILE.csv (one kind)")
    _store_arg(p)
    p.add_argument("--data-dir", metavar="DIR",
                   help="take lists and examples from the Turtle files of DIR, not the store")
    p.set_defaults(handler=_cmd_template)


def _cmd_import(args: argparse.Namespace) -> int:
    from kg.importer import import_files
    from kg.namespaces import compact

    result = import_files(args.files, data_dir=args.data_dir, check_only=args.check,
                          update=args.update, skip=args.skip)
    for problem in result.problems:
        print(problem.line())
    if result.problems:
        print(f"FAILED: {len(result.problems)} problem(s); nothing written")
        return 1
    summary = (f"{len(result.added)} new, {len(result.updated)} changed, "
               f"{result.unchanged} unchanged record(s)")
    if result.checked_only:
        print(f"OK (check only): {summary}; nothing written")
        return 0
    if result.rolled_back:
        report = result.validation
        for finding in getattr(report, "findings", []):
            print(f"  [{finding.stage}] {finding.line()}")
        print(f"FAILED: validation found {len(getattr(report, 'findings', []))} problem(s); "
              "every file was restored, nothing written")
        return 1
    for iri in result.added:
        print(f"  + {compact(iri)}")
    for iri in result.updated:
        print(f"  ~ {compact(iri)}")
    written = ", ".join(str(p) for p in result.written) or "nothing"
    print(f"OK: {summary}; wrote {written}")
    return 0


def _add_import(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="check spreadsheet rows and add them to data/ (validated)")
    p.add_argument("files", nargs="+", metavar="FILE", help="workbooks (.xlsx) or CSV files")
    p.add_argument("--check", action="store_true", help="only report problems; write nothing")
    p.add_argument("--data-dir", metavar="DIR",
                   help="the data folder to check against and write into (default: data/)")
    p.add_argument("--update", action="store_true",
                   help="let rows change records that an earlier import wrote")
    p.add_argument("--skip", action="append", default=[], choices=("shacl", "checks", "owl"),
                   help="skip a validation stage after writing (repeatable)")
    p.set_defaults(handler=_cmd_import)


# --- visualise / analyse (visualise/) --------------------------------------------------------

def _cmd_visualise(args: argparse.Namespace) -> int:
    from kg.sparql import connect
    from visualise import render

    if args.depth < 0:
        raise _usage("--depth must be 0 or more")
    backend = connect(args.store, args.endpoint)
    path = render(backend, args.output, focus=args.focus, depth=args.depth, on=args.on,
                  include=args.include, lang=args.lang, layout=args.layout,
                  timeline=args.timeline, max_nodes=args.max_nodes)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _add_visualise(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("visualise", aliases=["visualize"],
                       help="write an interactive offline HTML picture of the graph")
    p.add_argument("-o", "--output", metavar="FILE.html",
                   help="output file (default: migkg-graph.html, or migkg-timeline.html)")
    p.add_argument("--focus", metavar="TEXT_OR_IRI",
                   help="draw the neighbourhood of one thing (IRI, CURIE such as body:iom, "
                        "or a label)")
    p.add_argument("--depth", type=int, default=2, metavar="N",
                   help="steps from the focus (default 2)")
    p.add_argument("--on", metavar="DATE", help="only assignments valid on DATE (YYYY-MM-DD)")
    p.add_argument("--include", nargs="+", metavar="KIND",
                   help="kinds to draw: body, person, function, article, act, system, category, "
                        "programme, place, recommendation, problem, event (default: all but "
                        "article)")
    p.add_argument("--lang", default="en", choices=("en", "ru", "kk"),
                   help="language of the node labels (all languages are searchable)")
    p.add_argument("--layout", default="force", choices=("force", "hierarchical"))
    p.add_argument("--timeline", action="store_true",
                   help="write the timeline of assignments (before/after 2022) instead")
    p.add_argument("--max-nodes", type=_positive_int, default=None, metavar="N",
                   help="draw at most N nodes, the most connected (default 3000)")
    _store_arg(p)
    p.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead")
    p.set_defaults(handler=_cmd_visualise)


def _cmd_analyse(args: argparse.Namespace) -> int:
    from kg.sparql import connect
    from visualise.analysis import analyse, format_table

    result = analyse(connect(args.store, args.endpoint), on=args.on, lang=args.lang)
    if args.format == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        print(format_table(result))
    return 0


def _add_analyse(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyse", aliases=["analyze"],
                       help="network measures of the bodies: centrality, cut points, communities")
    p.add_argument("--on", metavar="DATE", help="only assignments valid on DATE (YYYY-MM-DD)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", default="en", choices=("en", "ru", "kk"))
    _store_arg(p)
    p.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead")
    p.set_defaults(handler=_cmd_analyse)


# --- docs (kg/docs.py) -----------------------------------------------------------------------

def _cmd_docs(args: argparse.Namespace) -> int:
    from kg.docs import build_docs

    result = build_docs(args.output, langs=args.lang, on=args.on, store=args.store,
                        endpoint=args.endpoint)
    note = "" if result.matrix else "; no matrix (kg.matrix is missing)"
    print(f"wrote {result.output}: {result.files} files, {result.bytes / 1e6:.1f} MB "
          f"({result.entities} entity pages, {result.terms} ontology terms, "
          f"{result.concepts} concepts; languages {', '.join(result.langs)}; "
          f"matrix and gaps on {result.on}{note}) in {result.seconds:.1f} s", file=sys.stderr)
    return 0


def _add_docs(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("docs", help="write the static offline documentation site (ontology, "
                                    "a page per entity, matrix, gaps, graph)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="the site's folder: new, empty, or an earlier `migkg docs` output")
    p.add_argument("--lang", nargs="+", choices=("en", "ru", "kk"), metavar="LANG",
                   help="languages of the ontology pages (default: en ru kk); the first is "
                        "also the language of the other pages")
    p.add_argument("--on", metavar="DATE",
                   help="the date of the current matrix and gap report (default today)")
    _store_arg(p)
    p.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead")
    p.set_defaults(handler=_cmd_docs)


# --- main ------------------------------------------------------------------------------------

_COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_build,
    _add_stats,
    _add_validate,
    _add_export,
    _add_who,
    _add_explain,
    _add_diff,
    _add_query,
    _add_gaps,
    _add_matrix,
    _add_serve,
    _add_publish,
    _add_template,
    _add_import,
    _add_visualise,
    _add_analyse,
    _add_docs,
)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="migkg",
        description="A knowledge graph of who governs migration in Kazakhstan.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for add in _COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except MigkgError as err:
        print(f"migkg: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("migkg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # the promise is: one line, no traceback
        print(f"migkg: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

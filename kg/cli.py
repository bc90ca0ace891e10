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

    result = build(
        args.store, extra=args.data, force=args.force, checks=not args.no_checks,
        progress=None if not args.quiet else False,
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
    p.add_argument("--force", action="store_true", help="rebuild even if the input is unchanged")
    p.add_argument("--no-checks", action="store_true", help="skip the check queries")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(handler=_cmd_build)


# --- stats -----------------------------------------------------------------------------------

def _cmd_stats(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from kg.stats import graph_stats
    from kg.store import open_store

    stats = graph_stats(open_store(args.store))
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
    p = sub.add_parser("validate", help="check syntax, SHACL shapes, check queries and OWL (HermiT)")
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
    from kg.export import export_graph
    from kg.store import open_store

    count = export_graph(open_store(args.store), args.format, args.output)
    if args.output and args.output != "-":
        print(f"wrote {count} triples to {args.output}", file=sys.stderr)
    return 0


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write the whole graph (ontology + data) as RDF")
    _store_arg(p)
    p.add_argument("--format", choices=("ttl", "nt", "jsonld", "xml"), default="ttl")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    p.set_defaults(handler=_cmd_export)


# --- main ------------------------------------------------------------------------------------

_COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_build,
    _add_stats,
    _add_validate,
    _add_export,
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
    except Exception as err:  # noqa: BLE001 - the promise is: one line, no traceback
        print(f"migkg: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

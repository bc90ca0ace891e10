"""The embedded store: built from the Turtle files aside and swapped in atomically.

A store path is a folder holding generations (``gen-*``) and a symlink ``current`` to the
one in use. A build loads every file into a new generation (several files side by side),
compacts it, runs the check queries on it, and only then flips ``current`` (one
``os.replace``), so a failing build leaves the previous store exactly as it was. An
unchanged input (same content hash) is not rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, UsageError, ValidationFailed
from kg.paths import default_store_path, resource_dir

__all__ = [
    "BuildResult",
    "build",
    "check_queries",
    "load_files",
    "open_store",
    "source_files",
]

_CURRENT = "current"
_MANIFEST = "manifest.json"
_FORMAT_VERSION = 1
_SHAPES = "shapes.ttl"
_PROGRESS_BYTES = 5_000_000


@dataclass(frozen=True)
class BuildResult:
    """What a build did: where, how many triples from how many files, and whether it was skipped."""

    store: Path
    triples: int
    files: int
    unchanged: bool
    seconds: float


def source_files(extra: Iterable[Path | str] = (), *, include_data: bool = True) -> list[Path]:
    """The Turtle files a build loads: the ontology (not its shapes), the data, then ``extra``.

    ``extra`` may name files or folders (every ``*.ttl`` below them, sorted);
    ``include_data=False`` leaves out the shipped data (the ontology always comes).
    """
    files = [p for p in sorted(resource_dir("ontology").glob("*.ttl")) if p.name != _SHAPES]
    if include_data:
        files += sorted(resource_dir("data").glob("*.ttl"))
    for item in extra:
        path = Path(item)
        if path.is_dir():
            files += sorted(path.rglob("*.ttl"))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files


def _display(path: Path) -> str:
    """A path as the user knows it: relative to the working folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _syntax_error(path: Path, err: SyntaxError) -> InputError:
    line = err.lineno if err.lineno is not None else "?"
    col = err.offset if err.offset is not None else "?"
    msg = str(err.msg if hasattr(err, "msg") else err)
    msg = msg.split(": ", 1)[-1] if msg.startswith("Parser error") else msg
    return InputError(f"{_display(path)}:{line}:{col}: Turtle syntax error: {msg}")


def _content_hash(files: Sequence[Path]) -> str:
    digest = hashlib.sha256(f"migkg-store-v{_FORMAT_VERSION}\n".encode())
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


class _Progress:
    """A one-line progress bar on stderr, shown only for large inputs on a terminal.

    Files loading side by side advance it from several threads: a lock keeps the count
    right and the line whole.
    """

    def __init__(self, total: int, enabled: bool | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        if enabled is None:
            enabled = total >= _PROGRESS_BYTES and sys.stderr.isatty()
        self.enabled = enabled
        self._lock = threading.Lock()

    def advance(self, nbytes: int, label: str) -> None:
        with self._lock:
            self._advance(nbytes, label)

    def _advance(self, nbytes: int, label: str) -> None:
        self.done += nbytes
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            pct = 100 * self.done / self.total
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\rloading [{bar}] {pct:5.1f}% {label[:40]:<40}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


class _Counting:
    """A binary file that reports the bytes read to the progress bar (bulk_load reads it;
    one per file, each read from one thread)."""

    def __init__(self, handle, bar: _Progress, label: str) -> None:
        self.handle, self.bar, self.label = handle, bar, label

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.bar.advance(len(data), self.label)
        return data

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.bar.advance(count or 0, self.label)
        return count


def load_files(store: ox.Store, files: Sequence[Path], *, progress: bool | None = None,
               workers: int = 1) -> None:
    """Load Turtle files into ``store`` with Oxigraph's bulk loader (parsing and indexing in
    Rust); a syntax error raises InputError with FILE:LINE:COLUMN.

    ``workers`` > 1 loads that many files side by side, largest first so that the threads
    finish together: the bulk loader indexes one file in one thread, and pyoxigraph lets go
    of the GIL. Only for an on-disk store (ordered by key): an in-memory one keeps the
    insertion order, which would then vary from run to run. After an error no further file
    is started and the running ones are waited for; if several files failed, the error of
    the first in ``files`` order is raised.
    """
    bar = _Progress(sum(p.stat().st_size for p in files), progress)
    try:
        workers = max(1, min(workers, len(files)))
        if workers == 1:
            for path in files:
                _load_file(store, path, bar)
        else:
            _load_side_by_side(store, files, bar, workers)
    finally:
        bar.close()


def _load_side_by_side(store: ox.Store, files: Sequence[Path], bar: _Progress,
                       workers: int) -> None:
    """:func:`load_files` with ``workers`` threads (at least 2 and at most one per file)."""
    stop = threading.Event()
    order = sorted(range(len(files)), key=lambda i: -files[i].stat().st_size)  # stable
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="migkg-load")
    try:
        futures = {i: pool.submit(_load_unless_stopped, store, files[i], bar, stop)
                   for i in order}
        wait(futures.values(), return_when=FIRST_EXCEPTION)
    finally:
        # on an error or Ctrl-C: drop the queued files, wait for the running ones (the caller
        # removes the store's folder only once nothing writes into it)
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
    errors = [futures[i].exception() for i in range(len(files)) if not futures[i].cancelled()]
    futures.clear()  # no cycle error → traceback → this frame → future → error
    error = next((e for e in errors if e is not None), None)
    if error is not None:
        raise error


def _load_unless_stopped(store: ox.Store, path: Path, bar: _Progress,
                         stop: threading.Event) -> None:
    """One file of :func:`_load_side_by_side`; an error sets ``stop``.

    A module function, not a closure: the error's traceback keeps each frame's function,
    and a closure over ``store`` would keep the store open after the build's failure.
    """
    if stop.is_set():  # another file failed (or Ctrl-C): start no further one
        return
    try:
        _load_file(store, path, bar)
    except BaseException:
        stop.set()
        raise


def _load_file(store: ox.Store, path: Path, bar: _Progress) -> None:
    """Bulk-load one Turtle file, its errors as InputError naming the file."""
    try:
        if bar.enabled:
            with open(path, "rb") as handle:
                store.bulk_load(_Counting(handle, bar, path.name), format=ox.RdfFormat.TURTLE)
        else:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    except SyntaxError as err:
        raise _syntax_error(path, err) from None
    except (OSError, ValueError) as err:
        raise InputError(f"{_display(path)}: cannot load: {err}") from None


def check_queries() -> list[Path]:
    """The ODK-style checks: every ``queries/checks/*-violation.rq`` must return no row."""
    return sorted(resource_dir("queries").glob("checks/*-violation.rq"))


def run_checks(store: ox.Store, limit: int = 5) -> list[str]:
    """Run the check queries; return one line per violating row (at most ``limit`` per check).

    The queries run side by side, one thread per processor (pyoxigraph lets go of the GIL
    while it evaluates); the lines come in the order of :func:`check_queries` all the same.
    """
    paths = check_queries()
    workers = min(len(paths), _processors())
    if workers <= 1:
        return [line for path in paths for line in _check_lines(store, path, limit)]
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="migkg-check")
    try:
        found = list(pool.map(lambda path: _check_lines(store, path, limit), paths))
    finally:  # on an error or Ctrl-C, start no further check
        pool.shutdown(wait=True, cancel_futures=True)
    return [line for lines in found for line in lines]


def _processors() -> int:
    """How many processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _check_lines(store: ox.Store, path: Path, limit: int) -> list[str]:
    """One check query's violating rows as lines, at most ``limit`` and then "… more rows"."""
    rows = store.query(path.read_text(encoding="utf-8"))
    lines: list[str] = []
    for i, row in enumerate(rows):
        if i >= limit:
            lines.append(f"{path.stem}: … more rows")
            break
        values = ", ".join(
            f"{v}={_term_text(row[v])}" for v in rows.variables if row[v] is not None
        )
        lines.append(f"{path.stem}: {values}")
    return lines


def _term_text(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        from kg.namespaces import compact

        return compact(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _resolve_store(path: Path | str | None) -> Path:
    return Path(path).expanduser() if path is not None else default_store_path()


def _check_store_root(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: is a file, not a store folder")
    if root.is_dir() and any(root.iterdir()):
        known = {_CURRENT, ".lock"}
        names = {p.name for p in root.iterdir()}
        if not (names & known) and not any(n.startswith("gen-") for n in names):
            raise UsageError(
                f"{root}: folder is not empty and is not a migkg store; not touching it"
            )


def read_manifest(path: Path | str | None = None) -> dict | None:
    """The manifest of the store's current generation, or None if there is no store."""
    current = _resolve_store(path) / _CURRENT
    manifest = current / _MANIFEST
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text(encoding="utf-8"))


def build(
    store_path: Path | str | None = None,
    *,
    extra: Iterable[Path | str] = (),
    include_data: bool = True,
    force: bool = False,
    checks: bool = True,
    progress: bool | None = None,
    on_step: Callable[[str], None] | None = None,
) -> BuildResult:
    """Load ontology + data (+ ``extra``) into a fresh generation and swap it in atomically.

    The files load side by side (one thread per processor), then the store is compacted
    (``optimize``) before the checks, which run faster on it. Raises InputError on a syntax
    error and ValidationFailed when a check query returns rows; either way the previous
    store is left untouched.
    """
    started = time.perf_counter()
    root = _resolve_store(store_path)
    _check_store_root(root)
    files = source_files(extra, include_data=include_data)
    if not files:
        raise UsageError("nothing to load: no Turtle files found")
    digest = _content_hash(files)
    with _locked(root):
        manifest = read_manifest(root)
        if not force and manifest and manifest.get("hash") == digest:
            return BuildResult(root, manifest["triples"], len(files), True,
                               time.perf_counter() - started)
        gen = root / f"gen-{digest[:12]}-{os.getpid()}-{time.monotonic_ns()}"
        store: ox.Store | None = None
        try:
            store = ox.Store(str(gen))
            if on_step:
                on_step(f"loading {len(files)} files")
            load_files(store, files, progress=progress, workers=_processors())
            store.optimize()  # once, here: the checks run faster on the compacted store
            if checks:
                if on_step:
                    on_step("running check queries")
                problems = run_checks(store)
                if problems:
                    raise ValidationFailed(
                        f"{len(problems)} check violation(s); first: {problems[0]}"
                    )
            triples = len(store)
            store.flush()
            store = None
            manifest = {
                "format": _FORMAT_VERSION,
                "hash": digest,
                "files": [f.name for f in files],
                "triples": triples,
            }
            (gen / _MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
            link = root / f".{_CURRENT}.tmp"
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(gen.name)
            os.replace(link, root / _CURRENT)
        except BaseException as err:
            # Close the store first (drop every reference, the traceback's frames included):
            # while it is open, RocksDB's background compaction can still write files into
            # the folder, and the removal would leave it behind.
            del store
            traceback.clear_frames(err.__traceback__)
            shutil.rmtree(gen, ignore_errors=True)
            raise
        for old in root.glob("gen-*"):
            if old.name != gen.name:
                shutil.rmtree(old, ignore_errors=True)
    return BuildResult(root, triples, len(files), False, time.perf_counter() - started)


def open_store(store_path: Path | str | None = None) -> ox.Store:
    """Open the built store read-only; a missing store is a usage error that says what to do."""
    root = _resolve_store(store_path)
    current = root / _CURRENT
    if not (current / _MANIFEST).is_file():
        hint = "" if store_path is not None else " (run `migkg build` first)"
        raise UsageError(f"{root}: no migkg store here{hint}")
    try:
        return ox.Store.read_only(str(current.resolve()))
    except OSError as err:
        raise UsageError(f"{root}: cannot open store: {err}") from None

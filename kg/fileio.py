"""Writing outputs safely: aside, then renamed into place, so a reader never sees half a file."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from kg.errors import UsageError

__all__ = ["emit", "write_atomic"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(target: Path | str, payload: bytes | str) -> Path:
    """Write ``payload`` (text is UTF-8) to a temp file beside ``target`` and rename it.

    The file gets the usual permissions (0666 less the umask), not mkstemp's 0600.
    """
    target = Path(target)
    if target.is_dir():
        raise UsageError(f"{target}: is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder")
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def emit(payload: bytes | str, output: Path | str | None) -> Path | None:
    """Write to ``output`` atomically, or to stdout when it is None or ``-``."""
    if output is None or str(output) == "-":
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    return write_atomic(output, payload)

"""Where the shipped resources (ontology, data, queries) and the default store live.

Installed, they sit inside the package (``kg/ontology`` …); in a source checkout they are
the top-level folders beside ``kg/``. One function finds either.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_store_path", "resource_dir"]

_HERE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder ``ontology``, ``data`` or ``queries`` shipped with the package."""
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"migkg resource folder {name!r} is missing from the installation")


def default_store_path() -> Path:
    """The store used when no ``--store`` is given: $MIGKG_STORE or the user's data dir."""
    env = os.environ.get("MIGKG_STORE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("migkg", appauthor=False) / "store"

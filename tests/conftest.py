"""Shared fixtures: one built store for the session, and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "output"


def run_cli(*args: str, store: Path | None = None, input: str | None = None,
            timeout: float = 120, env: dict[str, str] | None = None):
    """Run ``python -m kg ARGS`` as a user would; return (exit code, stdout, stderr)."""
    full_env = {**os.environ, **(env or {})}
    if store is not None:
        full_env["MIGKG_STORE"] = str(store)
    proc = subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True,
        input=input, timeout=timeout, env=full_env, check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The shipped graph built once into a temporary store folder."""
    from kg.store import build

    path = tmp_path_factory.mktemp("store") / "store"
    build(path, progress=False)
    return path


@pytest.fixture(scope="session")
def backend(built_store):
    """A read-only SPARQL backend over the session's store."""
    from kg.sparql import connect

    return connect(built_store)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests write artefacts a person should look at (screenshots, pages)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser).

    Under CI a browser that cannot start fails the run; elsewhere the browser tests skip.
    """
    try:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        br = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as err:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"headless chromium cannot start: {err}")
        pytest.skip(f"headless chromium cannot start: {err}")
    yield br
    br.close()
    pw.stop()


class WatchedPage:
    """A fresh browser context and page that records what the page does.

    Every request whose URL does not start with one of ``allowed`` is aborted and recorded in
    ``blocked``; console errors and page errors go to ``errors``; dialogs (an injected
    ``alert``) are dismissed and recorded in ``dialogs``.
    """

    def __init__(self, browser, *, allowed: tuple[str, ...] = ("file:", "data:"),
                 viewport: tuple[int, int] = (1400, 1000)) -> None:
        self.allowed = allowed
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def _route(self, route) -> None:
        if route.request.url.startswith(self.allowed):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()

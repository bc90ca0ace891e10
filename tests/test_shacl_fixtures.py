"""Tests as data (pySHACL style): each fixture graph says what the shapes must find in it.

A fixture's first lines are ``# expect: conforms`` or one ``# expect: violation <text>``
per message that must appear. Fixtures are validated with the ontology, without the data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.validate import validate

FIXTURES = sorted((Path(__file__).parent / "shacl_fixtures").glob("*.ttl"))


def _expectations(path: Path) -> list[str]:
    lines = [ln[len("# expect:"):].strip() for ln in path.read_text().splitlines()
             if ln.startswith("# expect:")]
    assert lines, f"{path.name} has no '# expect:' line"
    return lines


def test_there_are_valid_and_invalid_fixtures():
    names = [p.name for p in FIXTURES]
    assert any(n.startswith("valid-") for n in names)
    assert sum(n.startswith("invalid-") for n in names) >= 5


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture(fixture: Path):
    expected = _expectations(fixture)
    report = validate([fixture], include_data=False, skip=["checks", "owl"])
    messages = [f.line() for f in report.findings]
    if expected == ["conforms"]:
        assert report.ok, messages
        return
    assert not report.ok, f"{fixture.name} should violate the shapes"
    for item in expected:
        assert item.startswith("violation "), item
        wanted = item[len("violation "):]
        assert any(wanted in m for m in messages), f"{wanted!r} not in {messages}"

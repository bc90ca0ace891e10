"""``migkg diff``: responsibilities that began, ended or moved between two dates."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

MIA = "https://w3id.org/migkg/id/body/ministry-of-internal-affairs"
MLSPP = "https://w3id.org/migkg/id/body/ministry-of-labour"


def diff_json(store, start: str, end: str) -> dict:
    code, out, err = run_cli("diff", "--from", start, "--to", end, "--format", "json",
                             store=store)
    assert code == 0, err
    return json.loads(out)


def test_2022_reform_moves_functions_from_mia_to_mlspp(built_store):
    data = diff_json(built_store, "2021-06-01", "2022-06-01")
    moves = {(m["function"]["iri"].rsplit("/", 1)[-1], m["from_body"]["iri"], m["to_body"]["iri"])
             for m in data["moved"]}
    # the paper: from 1 Jan 2022 MIA no longer assigns refugee status or issues permits to
    # labour immigrants working for individuals; MLSPP does
    assert ("refugee-status", MIA, MLSPP) in moves
    assert ("permits-individuals", MIA, MLSPP) in moves
    for move in data["moved"]:
        if move["from_body"]["iri"] == MIA and move["to_body"]["iri"] == MLSPP:
            assert move["event"]["iri"].endswith("/event/transfer-2022")
            assert move["event"]["effective"] == "2022-01-01"
            assert any("2021-07-19" in b["iri"] for b in move["event"]["legal_basis"])


def test_nothing_changes_within_2021(built_store):
    data = diff_json(built_store, "2021-03-01", "2021-06-01")
    assert not any(m["from_body"]["iri"] == MIA for m in data["moved"])


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_text_formats(built_store, fmt):
    code, out, err = run_cli("diff", "--from", "2021-06-01", "--to", "2022-06-01",
                             "--format", fmt, store=built_store)
    assert code == 0, err
    assert "Ministry of Internal Affairs" in out and "→" in out


@pytest.mark.parametrize("args", [
    ("--from", "2022-06-01", "--to", "2021-06-01"),
    ("--from", "2021-02-30", "--to", "2022-06-01"),
    ("--from", "2021-06-01"),
])
def test_bad_dates_exit_2(built_store, args):
    code, _out, err = run_cli("diff", *args, store=built_store)
    assert code == 2
    assert "Traceback" not in err


def test_python_api(built_store):
    import kg

    result = kg.diff("2021-06-01", "2022-06-01", store=built_store)
    assert any(m.from_body.iri == MIA and m.to_body.iri == MLSPP for m in result.moved)
    json.dumps(result.to_dict())

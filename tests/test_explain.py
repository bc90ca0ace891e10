"""``migkg explain``: one thing as a card, named by IRI, CURIE or text."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

MLSPP_IRI = "https://w3id.org/migkg/id/body/ministry-of-labour"


def explain_json(store, *args: str) -> dict:
    code, out, err = run_cli("explain", *args, "--format", "json", store=store)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("target", [MLSPP_IRI, "body:ministry-of-labour"])
def test_iri_and_curie_name_the_same_card(built_store, target):
    card = explain_json(built_store, target)
    assert card["iri"] == MLSPP_IRI
    assert card["kind"] == "body"
    langs = {lab["lang"] for lab in card["labels"]}
    assert {"en", "ru"} <= langs
    functions = {a["function"]["label"] for a in card["assignments"]}
    # the paper: MLSPP takes over refugee status and permits for individuals from 2022
    assert any("refugee status" in f for f in functions)
    assert any(a["from"] == "2022-01-01" for a in card["assignments"])


def test_text_finds_the_best_match(built_store):
    card = explain_json(built_store, "Беркут")
    assert "berkut" in card["iri"]
    assert card["matched"]["score"] > 0.5
    owners = {a["body"]["label"] for a in card["assignments"]}
    assert any("Internal Affairs" in o for o in owners)
    assert any("Foreign Affairs" in o for o in owners)


def test_function_card_shows_assignments_over_time_with_basis_and_sources(built_store):
    card = explain_json(built_store, "fn:refugee-status")
    periods = {(a["body"]["label"], a["from"], a["until"]) for a in card["assignments"]}
    assert any("Internal Affairs" in b and u == "2021-12-31" for b, _f, u in periods)
    assert any("Labour" in b and f == "2022-01-01" for b, f, _u in periods)
    assert card["sources"] or all(a["sources"] for a in card["assignments"])
    assert card["definition"]


def test_act_card_lists_related_acts_and_sections(built_store):
    card = explain_json(built_store, "act:law-477-iv")
    assert "477" in card["label"]
    assert card["sources"]
    assert all(s["label"] for s in card["sources"])


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_text_formats(built_store, fmt):
    code, out, err = run_cli("explain", "body:ministry-of-internal-affairs", "--format", fmt,
                             store=built_store)
    assert code == 0, err
    assert "Ministry of Internal Affairs" in out


def test_unknown_things(built_store):
    code, _out, err = run_cli("explain", "zqxwv", store=built_store)
    assert code == 1 and "no match" in err
    code, _out, err = run_cli("explain", "body:no-such-body-xyz", store=built_store)
    assert code in (1, 2) and "Traceback" not in err
    code, _out, err = run_cli("explain", "", store=built_store)
    assert code == 2 and "Traceback" not in err

"""Look at a SPARQL request's text before running it: its form, whether it is an update,
and whether it could call ``SERVICE`` (federated query = outbound HTTP from the server).

pyoxigraph executes ``SERVICE <http://…>`` by making an HTTP request, so the endpoint must
refuse it. A naive substring test would refuse every query that mentions "service" in a
string or an IRI (``kind:service``, ``"public service"``); this module tokenises the query
the way the SPARQL grammar does (strings, IRIs, comments, variables, prefixed names, words)
and looks at keyword tokens only.

The one place where SPARQL's lexical grammar is ambiguous is ``<``: it starts an IRI
(``?s <p> ?o``) or is the less-than operator (``FILTER(?a<?b)``). A relational operator only
occurs inside parentheses, so outside any ``(`` a ``<`` that lexes as an IRI is one; inside
parentheses after an operand it may be either, and the query is then reported as
``ambiguous``: the server refuses such a query only when the word "service" occurs in it.
Oxigraph's parser also matches keywords without a word boundary (``SERVICESILENT``,
``trueSERVICE``, ``SERVICE:x`` as keyword + ``:x``), so any keyword-like token or prefix
name prefix *containing* "service" counts. This check gives the clear message; the worker
processes additionally run without network access where the OS allows it (see
``kg.server``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["QueryInfo", "inspect_query"]

# Name characters: ASCII letters, digits, '_' and anything non-ASCII from U+00B7 upwards (a
# superset of SPARQL's PN_CHARS: a character the grammar does not allow is a syntax error
# for Oxigraph anyway, so reading too much as a name is never unsafe).
_NC = r"A-Za-z0-9_\u00B7\u00C0-\U000EFFFF"
_NS = r"A-Za-z\u00C0-\U000EFFFF"

_TOKENS = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<var>[?$][{_NC}]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[{_NC}](?:[{_NC}.\-]*[{_NC}\-])?)
  | (?P<pname>(?:[{_NS}](?:[{_NC}.\-]*[{_NC}\-])?)?:
               (?:(?:[{_NC}:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?\#@%])
                  (?:(?:[{_NC}.:\-]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?\#@%])*
                     (?:[{_NC}:\-]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?\#@%]))?)?)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][{_NC}]*)
    """,
    re.VERBOSE | re.DOTALL,
)
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")

_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                 "WITH"}
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_OPERAND_KINDS = {"var", "string", "number", "iri", "pname", "bnode", "langtag"}


@dataclass(frozen=True)
class QueryInfo:
    """What the text looks like: its form, update or not, SERVICE, and lexing certainty."""

    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE or None when not found
    is_update: bool
    uses_service: bool
    ambiguous: bool  # some '<' could be an IRI or an operator: readings may differ


def _tokens(text: str, *, head: bool = False) -> tuple[list[tuple[str, str]], bool]:
    """Tokens ``(kind, text)`` without whitespace and comments, and the ambiguity flag.

    A stack of open brackets tells where a ``<`` is: inside a group ``{…}`` or a VALUES row
    it can only start an IRI; directly inside an expression's parentheses, after an operand,
    it may be the less-than operator, which makes the reading ambiguous. With ``head``,
    stop at the first keyword after the prologue (``BASE``/``PREFIX`` declarations).
    """
    out: list[tuple[str, str]] = []
    ambiguous = False
    stack: list[str] = []  # "group", "values" (a VALUES block), "data" (a row), "expr"
    values_pending = False
    pos = 0
    n = len(text)
    while pos < n:
        char = text[pos]
        if char == "<":
            iri = _IRI.match(text, pos)
            prev = out[-1] if out else ("", "")
            after_operand = prev[0] in _OPERAND_KINDS or prev[1] in (")", "]") or (
                prev[0] == "word" and prev[1].lower() in ("true", "false"))
            if iri:
                if after_operand and stack and stack[-1] == "expr":
                    ambiguous = True
                out.append(("iri", iri.group()))
                pos = iri.end()
                continue
            out.append(("punct", "<"))
            pos += 1
            continue
        match = _TOKENS.match(text, pos)
        if match is None:
            if char == "{":
                stack.append("values" if values_pending else "group")
                values_pending = False
            elif char == "(":
                data = values_pending or (stack and stack[-1] in ("values", "data"))
                stack.append("data" if data else "expr")
            elif char in ")}" and stack:
                stack.pop()
            out.append(("punct", char))
            pos += 1
            if head:
                break
            continue
        kind = match.lastgroup or "punct"
        if head and kind == "word" and match.group().upper() not in ("BASE", "PREFIX"):
            out.append((kind, match.group()))
            break
        if kind not in ("ws", "comment"):
            out.append((kind, match.group()))
            if kind == "word" and match.group().upper() == "VALUES":
                values_pending = True
        pos = match.end()
    return out, ambiguous


def _has_service_word(kind: str, token: str) -> bool:
    low = token.lower()
    if "service" not in low:
        return False
    if kind == "word":
        return True
    if kind == "pname":
        return "service" in low.split(":", 1)[0]
    return kind in ("bnode", "langtag")


def inspect_query(text: str) -> QueryInfo:
    """Tokenise ``text`` and report its form, whether it is an update and uses SERVICE.

    Only the prologue and first keyword are read unless the text contains "service"
    (in any case) somewhere: without those letters there can be no SERVICE keyword.
    ``ambiguous`` is computed only in that second case.
    """
    prologue, _ = _tokens(text, head=True)
    last = prologue[-1] if prologue else ("", "")
    first = last[1].upper() if last[0] == "word" else None
    form = first if first in _FORMS else None
    is_update = first in _UPDATE_WORDS
    if "service" not in text.lower():
        return QueryInfo(form, is_update, False, False)
    tokens, ambiguous = _tokens(text)
    service = ambiguous or any(_has_service_word(k, t) for k, t in tokens)
    return QueryInfo(form, is_update, service, ambiguous)

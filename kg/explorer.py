"""The web explorer served by ``migkg serve`` beside ``/sparql``.

Pages (plain HTML, no script of ours, a strict Content-Security-Policy):

* ``/explore``: a search box "who is responsible for …" on a date, links to the rest;
* ``/explore/who?q=TEXT&on=DATE&lang=en``: the ``who`` answers with their evidence (role,
  dates, legal basis, sources, grade);
* ``/explore/gaps?on=DATE``: the gap report;
* ``/explore/graph?focus=…&depth=2&on=DATE``: the interactive graph of ``visualise``
  (a self-contained offline page);
* an entity page at its IRI's path (``https://w3id.org/migkg/id/body/x`` → ``/id/body/x``,
  also ``/role/…``, ``/kind/…`` …): HTML (the ``explain`` card and its triples) for
  browsers, Turtle / N-Triples / JSON-LD / RDF/XML on ``Accept``.

Every page's data is computed in a query worker (``SparqlApp.dispatch``), under the same
time limit as SPARQL queries.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote, urlencode

from kg.errors import InputError, MigkgError
from kg.htmlrender import STYLE, card_html, esc, gaps_html
from kg.htmlrender import link as _shared_link
from kg.htmlrender import render_value as _shared_render
from kg.namespaces import BASE, compact

__all__ = ["register"]

_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_STYLE = STYLE
_ENTITY_PREFIXES = ("/id", "/role", "/grade", "/raci", "/mgi", "/kind", "/unit", "/ontology")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- jobs run in a worker process (kg.server._run_job calls them with store=…) ---------------

def job_who(store: str, q: str, on: str | None, lang: str) -> dict:
    from kg.who import who

    return who(q, on=on, lang=lang, store=store).to_dict()


def job_gaps(store: str, on: str | None) -> dict:
    from kg.gaps import gaps

    return gaps(on, store=store).to_dict()


def job_explain(store: str, iri: str, lang: str) -> dict:
    from kg.explain import explain

    return explain(iri, lang=lang, store=store).to_dict()


def job_graph(store: str, focus: str | None, depth: int, on: str | None) -> str:
    import tempfile
    from pathlib import Path

    from visualise import render

    with tempfile.TemporaryDirectory(prefix="migkg-explore-") as tmp:
        page = render(store, Path(tmp) / "graph.html", focus=focus, depth=depth, on=on,
                      title="migkg graph")
        return Path(str(page)).read_text(encoding="utf-8")


def run_job(func_name: str, store: str, kwargs: dict) -> dict[str, Any]:
    """Run ``func_name`` in this (worker) process; map our errors to HTTP statuses."""
    func = {"who": job_who, "gaps": job_gaps, "explain": job_explain,
            "graph": job_graph}[func_name]
    try:
        return {"status": 200, "value": func(store, **kwargs)}
    except InputError as err:
        return {"status": 404, "message": str(err)}
    except MigkgError as err:
        return {"status": 400, "message": str(err)}


# --- rendering --------------------------------------------------------------------------------

def _e(text: object) -> str:
    return esc(text)


def local_path(iri: str) -> str | None:
    """The explorer path of one of our IRIs, or None for a foreign IRI."""
    if not iri.startswith(BASE):
        return None
    path = "/" + iri[len(BASE):]
    path = path.replace("#", "%23")
    return path if path.startswith(_ENTITY_PREFIXES) else None


def _href(iri: str) -> str | None:
    """Where the explorer shows ``iri``: its entity page, or the IRI itself if it is a URL."""
    path = local_path(iri)
    if path is not None:
        return quote(path, safe="/%-_.~")
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def _link(iri: str, label: str | None = None) -> str:
    return _shared_link(iri, label, _href)


def render_value(value: Any, depth: int = 0) -> str:
    """Plain data (dicts, lists, strings) as nested HTML; ``{"iri", "label"}`` as a link."""
    return _shared_render(value, _href, depth)


def _page(title: str, body: str):
    from kg.server import Response

    text = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} · migkg</title><style>{_STYLE}</style></head>
<body><nav><a href="/explore">search</a><a href="/explore/gaps">gaps</a>
<a href="/explore/graph">graph</a><a href="/sparql">SPARQL endpoint</a></nav>
<h1>{_e(title)}</h1>
{body}
</body></html>
"""
    return Response(200, text.encode(), "text/html; charset=utf-8",
                    {"Content-Security-Policy": _CSP, "Vary": "Accept"})


def _error_page(status: int, message: str):
    response = _page("Not found" if status == 404 else "Error",
                     f"<p>{_e(message)}</p>")
    response.status = status
    return response


def _param(request, name: str, default: str = "") -> str:
    values = request.query.get(name) or [default]
    return values[0].strip()


def _date(request) -> str | None:
    on = _param(request, "on")
    return on if _DATE.match(on) else None


def _call(app, func: str, **kwargs):
    from kg.server import Response

    answer = app.dispatch({"kind": "call", "target": func, "kwargs": kwargs})
    if isinstance(answer, Response):
        return answer
    if answer["status"] != 200:
        return _error_page(answer["status"], answer["message"])
    return answer["value"]


def _form(q: str = "", on: str = "", lang: str = "en") -> str:
    options = "".join(f'<option{" selected" if code == lang else ""}>{code}</option>'
                      for code in ("en", "ru", "kk"))
    return f"""<form action="/explore/who" method="get">
<label>Who is responsible for <input name="q" value="{_e(q)}" size="40" required
placeholder="work permits, refugee status, Berkut…"></label>
<label>on <input name="on" type="date" value="{_e(on)}"></label>
<label>language <select name="lang">{options}</select></label>
<button type="submit">Search</button></form>"""


# --- handlers ---------------------------------------------------------------------------------

def explore(app, request):
    from kg.server import Response

    if request.method not in ("GET", "HEAD"):
        return Response(405, b"GET only\n", headers={"Allow": "GET"})
    path = request.path.rstrip("/")
    if path == "/explore":
        return _page("Who governs migration in Kazakhstan", _form() + """
<p>Search any function, service, system, migrant category, act or body. See also the
<a href="/explore/gaps">gap report</a>, the <a href="/explore/graph">interactive graph</a>
and the <a href="/sparql">SPARQL endpoint</a>.</p>""")
    if path == "/explore/who":
        q = _param(request, "q")
        lang = _param(request, "lang", "en")
        lang = lang if lang in ("en", "ru", "kk") else "en"
        on = _date(request)
        if not q:
            return _page("Who is responsible?", _form(lang=lang))
        value = _call(app, "who", q=q, on=on, lang=lang)
        if isinstance(value, Response):
            return value
        answers = value.get("answers") or []
        parts = [_form(q, on or "", lang)]
        if not answers:
            suggestions = value.get("suggestions") or []
            parts.append(f"<p>Nothing matched “{_e(q)}”.</p>")
            if suggestions:
                links = ", ".join(
                    f'<a href="/explore/who?{_e(urlencode({"q": s, "lang": lang}))}">{_e(s)}</a>'
                    for s in suggestions)
                parts.append(f"<p>Did you mean: {links}?</p>")
        for answer in answers:
            subject = answer.get("subject", {})
            parts.append(f"<h2>{_link(subject.get('iri', ''), subject.get('label'))}</h2>")
            parts.append(render_value({k: v for k, v in answer.items() if k != "subject"}))
        return _page(f"Who is responsible for “{q}”" + (f" on {on}" if on else ""),
                     "\n".join(parts))
    if path == "/explore/gaps":
        on = _date(request)
        value = _call(app, "gaps", on=on)
        if isinstance(value, Response):
            return value
        table = gaps_html(value, _href)  # shared with the static site (kg/docs.py)
        form = f"""<form action="/explore/gaps" method="get"><label>on <input name="on"
type="date" value="{_e(value.get('on', ''))}"></label> <button>Show</button></form>"""
        return _page(f"Gaps on {value.get('on', '')}", form + table)
    if path == "/explore/graph":
        focus = _param(request, "focus") or None
        try:
            depth = max(1, min(int(_param(request, "depth", "2")), 4))
        except ValueError:
            depth = 2
        value = _call(app, "graph", focus=focus, depth=depth, on=_date(request))
        if isinstance(value, Response):
            return value
        return Response(200, value.encode(), "text/html; charset=utf-8")
    return _error_page(404, f"no explorer page {request.path}")


def entity(app, request):
    from kg.server import Response, _parse_accept, negotiate

    if request.method not in ("GET", "HEAD"):
        return Response(405, b"GET only\n", headers={"Allow": "GET"})
    iri = BASE + unquote(request.path.lstrip("/"))
    if any(c in iri for c in '<>"{}|^`\\ '):
        return _error_page(400, "not an IRI path")
    accept = request.header("Accept")
    ranges = _parse_accept(accept) if accept else []
    html_first = not ranges or ranges[0] in ("text/html", "application/xhtml+xml")
    fmt = _param(request, "format") or None
    if not html_first or fmt:
        key = negotiate("graph", accept if not fmt else None, fmt)
        if key is None:
            return Response(406, b"available as text/html, text/turtle, application/n-triples,"
                                 b" application/ld+json, application/rdf+xml\n")
        query = (f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} "
                 f"WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}")
        answer = app.dispatch({"kind": "sparql", "query": query, "format": key,
                               "max_rows": app.config.max_rows})
        if isinstance(answer, Response):
            return answer
        if answer["status"] != 200:
            return Response(answer["status"], answer["message"].encode())
        if answer["rows"] == 0:
            return Response(404, f"nothing is known about <{iri}>\n".encode())
        from kg.server import _MEDIA

        return Response(200, answer["body"], _MEDIA[answer["key"]], {"Vary": "Accept"},
                        answer["rows"])
    lang = _param(request, "lang", "en")
    lang = lang if lang in ("en", "ru", "kk") else "en"
    value = _call(app, "explain", iri=iri, lang=lang)
    if isinstance(value, Response):
        return value
    title = value.get("label") or compact(iri)
    links = (f'<p class="muted">{_e(iri)} · as <a href="?format=ttl">Turtle</a>, '
             f'<a href="?format=jsonld">JSON-LD</a>, <a href="?format=nt">N-Triples</a> · '
             f'<a href="/explore/graph?{_e(urlencode({"focus": iri}))}">graph around it</a>'
             f"</p>")
    body = links + card_html(value, _href)  # the same card as the static site (kg/docs.py)
    return _page(title, body)


def register(routes: dict) -> None:
    """Add the explorer's pages to ``kg.server.ROUTES``."""
    routes["/explore"] = explore
    for prefix in _ENTITY_PREFIXES:
        routes[prefix] = entity

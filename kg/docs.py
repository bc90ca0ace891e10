"""``migkg docs``: the graph as a static, offline, deterministic web site.

One folder that opens from disk (``file://``) or from any web server:

* ``index.html``: what is here, with links to everything;
* ``ontology/<lang>.html``: every class, property and other term of ours (``mig:``) with its
  labels, definition, notes, source, domain and range, super- and subclasses, and the reused
  terms it builds on; one page per language (en, ru, kk), a missing label or definition falls
  back to English and is marked so. Generated here from the ontology in the store (pyLODE
  documents OWL only, in one language, and not the SKOS schemes);
* ``schemes/<lang>.html``: the SKOS schemes of ``ontology/schemes.ttl`` (roles with their RACI
  mapping, evidence grades, RACI, MGI domains and sub-areas, function kinds, units);
* ``entities.html`` and ``id/<kind>/<slug>.html``: a page per body, person, function, act,
  article, system, category, programme, place, recommendation, problem, event, data set and
  source: the ``explain`` card (``kg.htmlrender.card_html``, shared with ``migkg serve``);
* ``matrix/*.html``: the responsibility matrix (``kg.matrix``) on ``--on`` and on 2021-06-01
  and 2022-06-01 with the changes marked; ``changes.html``: ``kg.diff`` between the two;
* ``gaps/<date>.html``: the gap report on the same dates (``kg.htmlrender.gaps_html``);
* ``graph.html``, ``timeline.html``: the pages of ``migkg visualise``.

Links are relative; every text from the data is escaped; no page loads anything from outside
the folder (a Content-Security-Policy says so) and ours run no script. The same store and the
same options give byte-identical files (sorted, no timestamps; ``--on`` defaults to today,
which is the one thing that changes from day to day). The site is written into a temporary
folder beside ``DIR`` and renamed into place; an existing non-empty ``DIR`` that is not an
earlier ``migkg docs`` output (it has no ``.migkg-docs`` marker) is refused.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import posixpath
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.htmlrender import STYLE, Href, assignments_table, card_html, esc, gaps_html, link
from kg.kinds import KINDS
from kg.namespaces import BASE, MIG, PREFIXES, compact, sparql_prologue
from kg.responsibility import Context, check_lang, fetch_labels, get_context, parse_date

__all__ = ["COMPARE", "MARKER", "DocsResult", "build_docs"]

MARKER = ".migkg-docs"
COMPARE = ("2021-06-01", "2022-06-01")
LANGS = ("en", "ru", "kk")

_RDF = PREFIXES["rdf"]
_RDFS = PREFIXES["rdfs"]
_OWL = PREFIXES["owl"]
_SKOS = PREFIXES["skos"]
_DCT = PREFIXES["dcterms"]
_TYPE = _RDF + "type"
_SCHEME_NS = tuple(PREFIXES[p] for p in ("role", "grade", "raci", "mgi", "kind", "unit"))
_SAFE_PATH = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*")
_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_CSP = ("default-src 'none'; style-src {style}; img-src 'none'; base-uri 'none'; "
        "form-action 'none'")

# kind, heading; an IRI of several kinds takes the first (an article is also an act)
_KIND_ORDER: tuple[tuple[str, str], ...] = (
    ("body", "Bodies"), ("person", "People"), ("function", "Functions"),
    ("article", "Articles and sections of acts"), ("act", "Acts"),
    ("system", "Information systems"), ("category", "Migrant categories"),
    ("programme", "Programmes, quotas, benefits, procedures and services"),
    ("place", "Places"), ("recommendation", "Recommendations"), ("problem", "Problems"),
    ("event", "Change events"), ("dataset", "Statistics (data sets)"), ("source", "Sources"),
)
_PAGE_CLASSES = {**{k: v for k, v in KINDS.items() if k not in ("assignment", "statistic")},
                 "person": (PREFIXES["prov"] + "Person",)}

_TERM_GROUPS = (
    ("class", (_OWL + "Class", _RDFS + "Class")),
    ("object", (_OWL + "ObjectProperty",)),
    ("datatype", (_OWL + "DatatypeProperty",)),
    ("annotation", (_OWL + "AnnotationProperty",)),
)
_CHARACTERISTICS = ("FunctionalProperty", "InverseFunctionalProperty", "SymmetricProperty",
                    "AsymmetricProperty", "TransitiveProperty", "ReflexiveProperty",
                    "IrreflexiveProperty")
_NOTE_PROPS = (_SKOS + "scopeNote", _SKOS + "note", _SKOS + "example",
               _SKOS + "editorialNote", _RDFS + "comment")

# the words of the ontology and scheme pages, per language
_UI: dict[str, dict[str, str]] = {
    "en": {
        "ontology": "Ontology", "schemes": "Concept schemes", "class": "Classes",
        "object": "Object properties", "datatype": "Datatype properties",
        "annotation": "Annotation properties", "other": "Other terms of ours (individuals, "
        "data structure definitions)", "reused": "Reused terms", "labels": "Labels",
        "definition": "Definition", "notes": "Notes", "source": "Source", "see": "See also",
        "domain": "Domain", "range": "Range", "super": "Superclasses", "sub": "Subclasses",
        "superp": "Superproperties", "subp": "Subproperties", "inverse": "Inverse of",
        "chars": "Characteristics", "chain": "Property chain", "equiv": "Equivalent to",
        "disjoint": "Disjoint with", "instances": "Direct instances in the graph",
        "types": "Types", "contents": "Contents", "notation": "Notation",
        "concept": "Concept", "broader": "Broader", "mappings": "Mappings",
        "fallback": "Where a label or definition is missing in this language, the English "
        "one is shown in italics.", "languages": "Languages", "kind": "Kind",
        "home": "Home", "iri": "IRI", "version": "Version", "license": "Licence",
        "inscheme": "Concepts",
    },
    "ru": {
        "ontology": "Онтология", "schemes": "Схемы понятий", "class": "Классы",
        "object": "Объектные свойства", "datatype": "Свойства типов данных",
        "annotation": "Свойства-аннотации", "other": "Прочие наши термины (индивиды, "
        "структуры данных)", "reused": "Заимствованные термины", "labels": "Метки",
        "definition": "Определение", "notes": "Примечания", "source": "Источник",
        "see": "См. также", "domain": "Область определения", "range": "Область значений",
        "super": "Надклассы", "sub": "Подклассы", "superp": "Надсвойства",
        "subp": "Подсвойства", "inverse": "Обратное к", "chars": "Характеристики",
        "chain": "Цепочка свойств", "equiv": "Эквивалентно", "disjoint": "Не пересекается с",
        "instances": "Прямых экземпляров в графе", "types": "Типы",
        "contents": "Содержание", "notation": "Обозначение", "concept": "Понятие",
        "broader": "Более широкое", "mappings": "Соответствия",
        "fallback": "Где метки или определения на этом языке нет, курсивом показана "
        "английская.", "languages": "Языки", "kind": "Вид", "home": "Главная",
        "iri": "IRI", "version": "Версия", "license": "Лицензия", "inscheme": "Понятия",
    },
    "kk": {
        "ontology": "Онтология", "schemes": "Ұғымдар схемалары", "class": "Кластар",
        "object": "Объектілік қасиеттер", "datatype": "Деректер типінің қасиеттері",
        "annotation": "Аннотация қасиеттері", "other": "Біздің басқа терминдер (даралар, "
        "деректер құрылымдары)", "reused": "Қайта пайдаланылған терминдер",
        "labels": "Белгілер", "definition": "Анықтама", "notes": "Ескертпелер",
        "source": "Дереккөз", "see": "Сондай-ақ қараңыз", "domain": "Анықталу облысы",
        "range": "Мәндер облысы", "super": "Жоғарғы кластар", "sub": "Ішкі кластар",
        "superp": "Жоғарғы қасиеттер", "subp": "Ішкі қасиеттер", "inverse": "Кері қасиеті",
        "chars": "Сипаттамалар", "chain": "Қасиеттер тізбегі", "equiv": "Эквивалентті",
        "disjoint": "Қиылыспайды", "instances": "Графтағы тікелей даналар",
        "types": "Типтер", "contents": "Мазмұны", "notation": "Белгілеу",
        "concept": "Ұғым", "broader": "Кеңірек ұғым", "mappings": "Сәйкестіктер",
        "fallback": "Бұл тілде белгі немесе анықтама жоқ жерде ағылшынша нұсқасы курсивпен "
        "көрсетілген.", "languages": "Тілдер", "kind": "Түрі", "home": "Басты бет",
        "iri": "IRI", "version": "Нұсқа", "license": "Лицензия", "inscheme": "Ұғымдар",
    },
}


@dataclass
class DocsResult:
    """What ``build_docs`` wrote."""

    output: Path
    files: int
    bytes: int
    entities: int
    terms: int
    concepts: int
    langs: list[str]
    on: str
    matrix: bool
    seconds: float
    pages: dict[str, list[str]] = field(default_factory=dict)


# --- the output folder -----------------------------------------------------------------------

def _check_output(output: Path | str) -> Path:
    out = Path(output).expanduser()
    out = out.parent.resolve() / out.name if out.name not in ("", ".", "..") else out.resolve()
    if not out.parent.is_dir():
        raise UsageError(f"{out.parent}: no such folder")
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise UsageError(f"{out}: exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise UsageError(f"{out}: exists, is not empty and is not a `migkg docs` site "
                             f"(no {MARKER} file); give a new or empty folder")
    return out


def _swap_into_place(staging: Path, out: Path) -> None:
    """Rename the finished ``staging`` folder to ``out``, replacing an earlier site."""
    os.chmod(staging, 0o755)
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old.rmdir()
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


# --- paths and links -------------------------------------------------------------------------

def entity_path(iri: str) -> str:
    """The site path of one of our instance IRIs (``…/id/body/x`` → ``id/body/x.html``)."""
    rest = iri[len(BASE):] if iri.startswith(BASE) else ""
    if _SAFE_PATH.fullmatch(rest) and rest.startswith("id/") and ".." not in rest:
        return rest + ".html"
    return "id/_/" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:20] + ".html"


def _anchor(text: str) -> str:
    text = text.replace(":", "-").replace("/", "-").replace("#", "-")
    if _SAFE_ID.fullmatch(text):
        return text
    return "h-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _natural(text: str) -> list:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p.casefold())
            for p in re.split(r"(\d+)", text) if p]


def _lit_by_lang(values: list) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in values:
        if isinstance(v, ox.Literal):
            out.setdefault(v.language or "", []).append(v.value)
    return {k: sorted(v) for k, v in out.items()}


def _pick(by_lang: dict[str, list[str]], lang: str) -> tuple[list[str], str | None]:
    """The values in ``lang``, else English (or untagged), with the language shown."""
    for code in (lang, "en", ""):
        if by_lang.get(code):
            return by_lang[code], code
    if by_lang:
        code = min(by_lang)
        return by_lang[code], code
    return [], None


def _text_in(values: list[str], code: str | None, lang: str, *, sep: str = "; ") -> str:
    text = sep.join(esc(v) for v in values)
    if code is not None and code not in (lang, ""):
        return f'<span class="fallback" lang="{esc(code)}">{text}</span>'
    return text


class _Triples:
    """Subject → property → [objects], for the ontology's and the schemes' own terms."""

    def __init__(self) -> None:
        self.by_subject: dict[str, dict[str, list]] = {}

    @staticmethod
    def key(term) -> str:
        return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value

    def add(self, s, p, o) -> None:
        self.by_subject.setdefault(self.key(s), {}).setdefault(p.value, []).append(o)

    def get(self, s: str, p: str) -> list:
        return self.by_subject.get(s, {}).get(p, [])

    def iris(self, s: str, p: str) -> list[str]:
        return sorted({o.value for o in self.get(s, p) if isinstance(o, ox.NamedNode)})


# --- the site --------------------------------------------------------------------------------

class _Site:
    def __init__(self, ctx: Context, root: Path, langs: list[str], on: str, *,
                 store, endpoint) -> None:
        self.ctx = ctx
        self.root = root
        self.langs = langs
        self.main = langs[0]
        self.on = on
        self.store = store
        self.endpoint = endpoint
        self.entities: dict[str, tuple[str, str]] = {}  # iri → (kind, path)
        self.term_anchor: dict[str, str] = {}  # our term / reused term → anchor on ontology/
        self.concept_anchor: dict[str, str] = {}  # scheme or concept → anchor on schemes/
        self.pages: dict[str, list[str]] = {}
        self.matrix_first: str | None = None
        self.files = 0
        self.bytes = 0

    # writing

    def write(self, rel: str, text: str, group: str | None = None) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        os.chmod(path, 0o644)
        self.files += 1
        self.bytes += len(data)
        if group:
            self.pages.setdefault(group, []).append(rel)

    def href(self, current: str, lang: str | None = None) -> Href:
        """Links from the page at ``current``: relative paths, or the IRI for foreign ones."""
        lang = lang or self.main
        here = posixpath.dirname(current) or "."

        def target_of(iri: str) -> str | None:
            if iri in self.entities:
                return self.entities[iri][1]
            if iri in self.term_anchor:
                return f"ontology/{lang}.html#{self.term_anchor[iri]}"
            if iri in self.concept_anchor:
                return f"schemes/{lang}.html#{self.concept_anchor[iri]}"
            return None

        def href(iri: str) -> str | None:
            target = target_of(iri)
            if target is None:
                if iri.startswith(BASE):
                    return None  # ours, but no page (an assignment, a period…)
                return iri if iri.startswith(("http://", "https://")) else None
            path, _, frag = target.partition("#")
            rel = "" if path == current else posixpath.relpath(path, here)
            return rel + (f"#{frag}" if frag else "")

        return href

    def rel(self, current: str, target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(current) or ".")

    def page(self, rel: str, title: str, body: str, *, lang: str | None = None,
             group: str | None = None, alternates: dict[str, str] | None = None) -> None:
        lang = lang or self.main
        ui = _UI[lang]
        nav = [("index.html", ui["home"]), (f"ontology/{lang}.html", ui["ontology"]),
               (f"schemes/{lang}.html", ui["schemes"]), ("entities.html", "entities")]
        if self.matrix_first:
            nav.append((self.matrix_first, "matrix"))
        nav += [(f"gaps/{self.on}.html", "gaps"), ("changes.html", "changes"),
                ("graph.html", "graph"), ("timeline.html", "timeline")]
        links = "".join(f'<a href="{esc(self.rel(rel, target))}">{esc(text)}</a>'
                        for target, text in nav)
        alt = ""
        if alternates:
            alt = '<p class="muted">' + esc(ui["languages"]) + ": " + " · ".join(
                (f"<b>{esc(code)}</b>" if code == lang else
                 f'<a href="{esc(self.rel(rel, target))}" hreflang="{esc(code)}">'
                 f"{esc(code)}</a>")
                for code, target in alternates.items()) + "</p>"
        csp = _CSP.format(style=_style_hash())
        text = f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · migkg</title>
<style>{STYLE}</style>
</head>
<body>
<nav>{links}</nav>
<h1>{esc(title)}</h1>
{alt}{body}
<footer>migkg: a knowledge graph of who governs migration in Kazakhstan. Generated by
<code>migkg docs</code> from the graph; every fact has its source.</footer>
</body>
</html>
"""
        self.write(rel, text, group)

    # the things that get a page

    def collect_entities(self) -> None:
        order = {k: i for i, (k, _h) in enumerate(_KIND_ORDER)}
        rows = " ".join(f'("{kind}" <{cls}>)' for kind, classes in _PAGE_CLASSES.items()
                        for cls in classes)
        query = sparql_prologue() + (
            f"SELECT DISTINCT ?x ?kind WHERE {{ VALUES (?kind ?cls) {{ {rows} }} "
            "?x a/rdfs:subClassOf* ?cls . FILTER(isIRI(?x) && STRSTARTS(STR(?x), "
            f'"{BASE}id/")) }}')
        kinds: dict[str, str] = {}
        for row in self.ctx.backend.select(query):
            iri, kind = row["x"].value, row["kind"].value
            if iri not in kinds or order[kind] < order[kinds[iri]]:
                kinds[iri] = kind
        paths: dict[str, str] = {}
        for iri in sorted(kinds):
            path = entity_path(iri)
            if path.lower() in paths:  # two IRIs, one file name: keep both apart
                path = "id/_/" + hashlib.sha256(iri.encode()).hexdigest()[:20] + ".html"
            paths[path.lower()] = iri
            self.entities[iri] = (kinds[iri], path)


def _style_hash() -> str:
    from visualise.html import csp_hash

    return csp_hash(STYLE)


# --- ontology and schemes --------------------------------------------------------------------

_ONTO_QUERY = """SELECT ?s ?p ?o WHERE {{ ?s ?p ?o .
  FILTER(isBlank(?s) || STRSTARTS(STR(?s), "{mig}") || {schemes}) }}"""
_ONTOLOGY_HEAD = """SELECT ?s ?p ?o WHERE { ?s a owl:Ontology ; ?p ?o }"""
_REUSED = """SELECT DISTINCT ?s ?t WHERE {{
  VALUES ?t {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
             rdfs:Datatype }}
  ?s a ?t . FILTER(isIRI(?s) && !STRSTARTS(STR(?s), "{mig}")) }}"""
_INSTANCES = """SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?c .
  FILTER(STRSTARTS(STR(?c), "{mig}")) }} GROUP BY ?c"""


@dataclass
class _Onto:
    triples: _Triples
    groups: dict[str, list[str]]
    reused: dict[str, str]
    head: dict[str, list]
    instances: dict[str, int]
    schemes: list[str]
    concepts: dict[str, list[str]]
    labels: dict[str, dict[str, str]]


def _read_ontology(site: _Site) -> _Onto:
    backend = site.ctx.backend
    scheme_filter = " || ".join(f'STRSTARTS(STR(?s), "{ns}")' for ns in _SCHEME_NS)
    triples = _Triples()
    for row in backend.select(sparql_prologue() + _ONTO_QUERY.format(
            mig=MIG, schemes=scheme_filter)):
        triples.add(row["s"], row["p"], row["o"])
    groups: dict[str, list[str]] = {g: [] for g, _t in _TERM_GROUPS}
    groups["other"] = []
    for s in sorted(triples.by_subject):
        if not s.startswith(MIG):
            continue
        types = set(triples.iris(s, _TYPE))
        group = next((g for g, classes in _TERM_GROUPS if types & set(classes)), "other")
        groups[group].append(s)
    for members in groups.values():
        members.sort(key=lambda i: (i[len(MIG):].casefold(), i))
    reused: dict[str, str] = {}
    for row in backend.select(sparql_prologue() + _REUSED.format(mig=MIG)):
        iri, kind = row["s"].value, row["t"].value
        if iri.startswith(BASE):
            continue
        current = reused.get(iri)
        if current is None or kind < current:
            reused[iri] = kind
    head: dict[str, list] = {}
    for row in backend.select(sparql_prologue() + _ONTOLOGY_HEAD):
        head.setdefault(row["p"].value, []).append(row["o"])
    instances = {row["c"].value: int(row["n"].value)
                 for row in backend.select(sparql_prologue() + _INSTANCES.format(mig=MIG))}
    schemes = sorted(
        (s for s in triples.by_subject
         if s.startswith(_SCHEME_NS) and _SKOS + "ConceptScheme" in triples.iris(s, _TYPE)),
        key=lambda s: (next(i for i, ns in enumerate(_SCHEME_NS) if s.startswith(ns)), s))
    concepts: dict[str, list[str]] = {s: [] for s in schemes}
    for s in sorted(triples.by_subject):
        if s.startswith("_:"):
            continue
        for scheme in {*triples.iris(s, _SKOS + "inScheme"), *triples.iris(s, _SKOS
                                                                           + "topConceptOf")}:
            if scheme in concepts and s not in concepts[scheme]:
                concepts[scheme].append(s)
    for s in groups["class"] + groups["object"] + groups["datatype"] + groups["annotation"] \
            + groups["other"]:
        site.term_anchor[s] = _anchor(s[len(MIG):])
    for iri in sorted(reused):
        site.term_anchor.setdefault(iri, "x-" + _anchor(compact(iri)))
    for scheme, members in concepts.items():
        site.concept_anchor[scheme] = _anchor(compact(scheme))
        for c in members:
            site.concept_anchor.setdefault(c, _anchor(compact(c)))
    # labels of everything the pages mention, per language
    mentioned: set[str] = set(triples.by_subject) | set(reused)
    for props in triples.by_subject.values():
        for objs in props.values():
            mentioned.update(o.value for o in objs if isinstance(o, ox.NamedNode))
    for objs in head.values():
        mentioned.update(o.value for o in objs if isinstance(o, ox.NamedNode))
    mentioned = {m for m in mentioned if not m.startswith("_:")}
    labels = {lang: fetch_labels(site.ctx, mentioned, lang) for lang in site.langs}
    return _Onto(triples, groups, reused, head, instances, schemes, concepts, labels)


def _own_label(onto: _Onto, iri: str, lang: str) -> str:
    by_lang = _lit_by_lang(onto.triples.get(iri, _RDFS + "label")
                           + onto.triples.get(iri, _SKOS + "prefLabel"))
    values, code = _pick(by_lang, lang)
    if not values:
        return esc(compact(iri))
    return _text_in(values[:1], code, lang)


def _value(onto: _Onto, term, lang: str, href: Href, depth: int = 0) -> str:
    """One object of a triple: a link, an anonymous class expression, or a literal."""
    if isinstance(term, ox.NamedNode):
        label = onto.labels[lang].get(term.value) or compact(term.value)
        return link(term.value, label, href)
    if isinstance(term, ox.BlankNode):
        return _expression(onto, "_:" + term.value, lang, href, depth + 1)
    if isinstance(term, ox.Literal):
        return esc(term.value)
    return esc(str(term))


def _list_items(onto: _Onto, node: str) -> list:
    items, seen = [], set()
    while node.startswith("_:") and node not in seen:
        seen.add(node)
        items += onto.triples.get(node, _RDF + "first")
        rest = onto.triples.get(node, _RDF + "rest")
        if not rest:
            break
        node = _Triples.key(rest[0])
    return items


def _expression(onto: _Onto, node: str, lang: str, href: Href, depth: int) -> str:
    """An OWL class or property expression written out (union, inverse, restriction)."""
    if depth > 6:
        return "…"
    t = onto.triples

    def val(term) -> str:
        return _value(onto, term, lang, href, depth)

    for prop, word in ((_OWL + "unionOf", " or "), (_OWL + "intersectionOf", " and ")):
        if t.get(node, prop):
            items = _list_items(onto, _Triples.key(t.get(node, prop)[0]))
            return "(" + word.join(val(i) for i in items) + ")"
    if t.get(node, _OWL + "inverseOf"):
        return "inverse(" + val(t.get(node, _OWL + "inverseOf")[0]) + ")"
    if t.get(node, _OWL + "onProperty"):
        prop = val(t.get(node, _OWL + "onProperty")[0])
        for key, word in (("someValuesFrom", "some"), ("allValuesFrom", "only"),
                          ("hasValue", "value")):
            if t.get(node, _OWL + key):
                return f"({prop} {word} {val(t.get(node, _OWL + key)[0])})"
        for key, word in (("cardinality", "exactly"), ("qualifiedCardinality", "exactly"),
                          ("minCardinality", "min"), ("minQualifiedCardinality", "min"),
                          ("maxCardinality", "max"), ("maxQualifiedCardinality", "max")):
            if t.get(node, _OWL + key):
                of = t.get(node, _OWL + "onClass")
                return (f"({prop} {word} {val(t.get(node, _OWL + key)[0])}"
                        + (f" {val(of[0])}" if of else "") + ")")
    if t.get(node, _RDF + "first"):
        return "(" + " ∘ ".join(val(i) for i in _list_items(onto, node)) + ")"
    return '<span class="muted">(anonymous)</span>'


def _row(title: str, html_value: str) -> str:
    return f"<dt>{esc(title)}</dt><dd>{html_value}</dd>" if html_value else ""


def _values(onto: _Onto, iri: str, prop: str, lang: str, href: Href) -> str:
    objs = onto.triples.get(iri, prop)
    named = sorted((o for o in objs if isinstance(o, ox.NamedNode)),
                   key=lambda o: compact(o.value))
    other = [o for o in objs if not isinstance(o, ox.NamedNode)]
    return ", ".join(_value(onto, o, lang, href) for o in [*named, *other])


def _labels_line(onto: _Onto, iri: str) -> str:
    by_lang = _lit_by_lang(onto.triples.get(iri, _RDFS + "label")
                           + onto.triples.get(iri, _SKOS + "prefLabel"))
    alt = _lit_by_lang(onto.triples.get(iri, _SKOS + "altLabel"))
    parts = []
    for code in sorted(set(by_lang) | set(alt), key=lambda c: (c not in LANGS, c)):
        names = sorted(set(by_lang.get(code, [])))
        names += [f"({a})" for a in sorted(set(alt.get(code, []))) if a not in names]
        parts.append(f'<span lang="{esc(code or "und")}">{esc("; ".join(names))}</span>'
                     f' <span class="muted">@{esc(code or "-")}</span>')
    return "<br>".join(parts)


def _notes(onto: _Onto, iri: str, lang: str, skip_comment: bool) -> str:
    out = []
    for prop in _NOTE_PROPS:
        if prop == _RDFS + "comment" and skip_comment:
            continue
        values, code = _pick(_lit_by_lang(onto.triples.get(iri, prop)), lang)
        out += [f"<p>{_text_in([v], code, lang)}</p>" for v in values]
    return "".join(out)


def _term_section(site: _Site, onto: _Onto, iri: str, lang: str, *, href: Href,
                  subclasses: dict[str, list[str]], subprops: dict[str, list[str]]) -> str:
    ui = _UI[lang]
    t = onto.triples
    definitions = _lit_by_lang(t.get(iri, _SKOS + "definition"))
    skip_comment = not definitions
    if not definitions:
        definitions = _lit_by_lang(t.get(iri, _RDFS + "comment"))
    definition, code = _pick(definitions, lang)
    types = set(t.iris(iri, _TYPE))
    chars = [c for c in _CHARACTERISTICS if _OWL + c in types]
    other_types = sorted(x for x in types if x not in {
        _OWL + "Class", _RDFS + "Class", _OWL + "ObjectProperty", _OWL + "DatatypeProperty",
        _OWL + "AnnotationProperty", *(_OWL + c for c in _CHARACTERISTICS)})

    def refs(items: list[str]) -> str:
        return ", ".join(link(i, onto.labels[lang].get(i) or compact(i), href)
                         for i in sorted(items, key=lambda i: compact(i).casefold()))

    count = onto.instances.get(iri)
    rows = [
        _row(ui["iri"], f"<code>{esc(iri)}</code>"),
        _row(ui["labels"], _labels_line(onto, iri)),
        _row(ui["definition"], _text_in(definition, code, lang) if definition else ""),
        _row(ui["notes"], _notes(onto, iri, lang, skip_comment)),
        _row(ui["types"], refs(other_types)),
        _row(ui["super"], _values(onto, iri, _RDFS + "subClassOf", lang, href)),
        _row(ui["sub"], refs(subclasses.get(iri, []))),
        _row(ui["equiv"], _values(onto, iri, _OWL + "equivalentClass", lang, href)),
        _row(ui["disjoint"], _values(onto, iri, _OWL + "disjointWith", lang, href)),
        _row(ui["superp"], _values(onto, iri, _RDFS + "subPropertyOf", lang, href)),
        _row(ui["subp"], refs(subprops.get(iri, []))),
        _row(ui["domain"], _values(onto, iri, _RDFS + "domain", lang, href)),
        _row(ui["range"], _values(onto, iri, _RDFS + "range", lang, href)),
        _row(ui["inverse"], _values(onto, iri, _OWL + "inverseOf", lang, href)),
        _row(ui["chars"], ", ".join(esc(c) for c in chars)),
        _row(ui["chain"], _values(onto, iri, _OWL + "propertyChainAxiom", lang, href)),
        _row(ui["source"], _values(onto, iri, _DCT + "source", lang, href)),
        _row(ui["see"], _values(onto, iri, _RDFS + "seeAlso", lang, href)),
        _row(ui["instances"], str(count) if count else ""),
    ]
    anchor = site.term_anchor[iri]
    return (f'<section id="{esc(anchor)}"><h3>{_own_label(onto, iri, lang)} '
            f'<code class="muted">{esc(compact(iri))}</code></h3>'
            f"<dl>{''.join(rows)}</dl></section>")


def _ontology_page(site: _Site, onto: _Onto, lang: str) -> None:
    ui = _UI[lang]
    rel = f"ontology/{lang}.html"
    href = site.href(rel, lang)
    t = onto.triples
    subclasses: dict[str, list[str]] = {}
    subprops: dict[str, list[str]] = {}
    for s in t.by_subject:
        if not s.startswith(MIG):
            continue
        for sup in t.iris(s, _RDFS + "subClassOf"):
            subclasses.setdefault(sup, []).append(s)
        for sup in t.iris(s, _RDFS + "subPropertyOf"):
            subprops.setdefault(sup, []).append(s)
    head = onto.head
    titles, code = _pick(_lit_by_lang(head.get(_DCT + "title", [])), lang)
    comments, ccode = _pick(_lit_by_lang(head.get(_RDFS + "comment", [])), lang)
    version = ", ".join(esc(v.value) for v in head.get(_OWL + "versionInfo", []))
    licence = ", ".join(link(v.value, v.value, href) for v in head.get(_DCT + "license", [])
                        if isinstance(v, ox.NamedNode))
    sources = ", ".join(link(v.value, onto.labels[lang].get(v.value), href)
                        for v in sorted(head.get(_DCT + "source", []), key=str)
                        if isinstance(v, ox.NamedNode))
    intro = (f"<p><b>{_text_in(titles, code, lang)}</b></p>" if titles else "") + (
        f"<p>{_text_in(comments, ccode, lang)}</p>" if comments else "") + "<dl>" + "".join([
            _row(ui["iri"], f"<code>{esc(MIG)}</code>"), _row(ui["version"], version),
            _row(ui["license"], licence), _row(ui["source"], sources)]) + "</dl>" + \
        f'<p class="muted">{esc(ui["fallback"])}</p>'
    toc, sections = [], []
    for group in ("class", "object", "datatype", "annotation", "other"):
        members = onto.groups[group]
        if not members:
            continue
        toc.append(f'<li><a href="#{group}">{esc(ui[group])}</a> ({len(members)}): '
                   + ", ".join(f'<a href="#{esc(site.term_anchor[m])}">'
                               f"{esc(m[len(MIG):])}</a>" for m in members) + "</li>")
        sections.append(f'<h2 id="{group}">{esc(ui[group])}</h2>' + "\n".join(
            _term_section(site, onto, m, lang, href=href, subclasses=subclasses,
                          subprops=subprops) for m in members))
    if onto.reused:
        toc.append(f'<li><a href="#reused">{esc(ui["reused"])}</a> ({len(onto.reused)})</li>')
        rows = "".join(
            f'<tr id="{esc(site.term_anchor[iri])}"><td><code>{esc(compact(iri))}</code></td>'
            f"<td>{esc(compact(kind))}</td>"
            f'<td><a href="{esc(iri)}" rel="noopener noreferrer">{esc(iri)}</a></td></tr>'
            for iri, kind in sorted(onto.reused.items(), key=lambda kv: compact(kv[0])))
        sections.append(f'<h2 id="reused">{esc(ui["reused"])}</h2><table class="wide"><tr>'
                        f"<th>term</th><th>{esc(ui['kind'])}</th><th>{esc(ui['iri'])}</th>"
                        f"</tr>{rows}</table>")
    body = intro + f"<h2>{esc(ui['contents'])}</h2><ul>{''.join(toc)}</ul>" + "\n".join(
        sections)
    site.page(rel, ui["ontology"] + " · migkg", body, lang=lang, group="ontology",
              alternates={code: f"ontology/{code}.html" for code in site.langs})


def _scheme_order(onto: _Onto, scheme: str) -> list[tuple[str, int]]:
    t = onto.triples
    members = onto.concepts[scheme]
    inside = set(members)
    children: dict[str, list[str]] = {}
    roots = []
    for c in members:
        parents = [p for p in t.iris(c, _SKOS + "broader") if p in inside]
        if parents:
            for p in parents:
                children.setdefault(p, []).append(c)
        else:
            roots.append(c)

    def key(c: str) -> tuple:
        notation = next((o.value for o in t.get(c, _SKOS + "notation")), "")
        return (_natural(notation), _natural(compact(c)))

    out: list[tuple[str, int]] = []
    seen: set[str] = set()

    def walk(c: str, depth: int) -> None:
        if c in seen:
            return
        seen.add(c)
        out.append((c, depth))
        for child in sorted(children.get(c, []), key=key):
            walk(child, depth + 1)

    for r in sorted(roots, key=key):
        walk(r, 0)
    for c in sorted(members, key=key):  # cycles: still listed once
        walk(c, 0)
    return out


def _schemes_page(site: _Site, onto: _Onto, lang: str) -> None:
    ui = _UI[lang]
    rel = f"schemes/{lang}.html"
    href = site.href(rel, lang)
    t = onto.triples
    toc, sections = [], []
    match_props = ("broadMatch", "exactMatch", "closeMatch", "narrowMatch", "relatedMatch")
    for scheme in onto.schemes:
        anchor = site.concept_anchor[scheme]
        toc.append(f'<li><a href="#{esc(anchor)}">{_own_label(onto, scheme, lang)}</a> '
                   f"({len(onto.concepts[scheme])})</li>")
        definitions, code = _pick(_lit_by_lang(t.get(scheme, _SKOS + "definition")), lang)
        rows = []
        for concept, depth in _scheme_order(onto, scheme):
            cdef, ccode = _pick(_lit_by_lang(t.get(concept, _SKOS + "definition")), lang)
            notes = _notes(onto, concept, lang, skip_comment=False)
            maps = []
            for prop in match_props:
                for target in t.iris(concept, _SKOS + prop):
                    notation = next((o.value for o in t.get(target, _SKOS + "notation")), None)
                    text = notation or onto.labels[lang].get(target) or compact(target)
                    maps.append(f"{esc(prop)} {link(target, text, href)}")
            notation = ", ".join(esc(o.value) for o in t.get(concept, _SKOS + "notation"))
            rows.append(
                f'<tr id="{esc(site.concept_anchor[concept])}"><td>{notation}</td>'
                f'<td class="d{min(depth, 3)}"><b>{_own_label(onto, concept, lang)}</b><br>'
                f'<code class="muted">{esc(compact(concept))}</code></td>'
                f"<td>{_labels_line(onto, concept)}</td>"
                f"<td>{_text_in(cdef, ccode, lang) if cdef else ''}{notes}</td>"
                f"<td>{'<br>'.join(maps)}</td>"
                f"<td>{_values(onto, concept, _DCT + 'source', lang, href)}</td></tr>")
        sections.append(
            f'<h2 id="{esc(anchor)}">{_own_label(onto, scheme, lang)} '
            f'<code class="muted">{esc(compact(scheme))}</code></h2>'
            + (f"<p>{_text_in(definitions, code, lang)}</p>" if definitions else "")
            + _notes(onto, scheme, lang, skip_comment=False)
            + f'<table class="wide"><tr><th>{esc(ui["notation"])}</th>'
            f"<th>{esc(ui['concept'])}</th><th>{esc(ui['labels'])}</th>"
            f"<th>{esc(ui['definition'])}</th><th>{esc(ui['mappings'])}</th>"
            f"<th>{esc(ui['source'])}</th></tr>{''.join(rows)}</table>")
    body = (f'<p class="muted">{esc(ui["fallback"])}</p>'
            f"<h2>{esc(ui['contents'])}</h2><ul>{''.join(toc)}</ul>" + "\n".join(sections))
    site.page(rel, ui["schemes"] + " · migkg", body, lang=lang, group="schemes",
              alternates={code: f"schemes/{code}.html" for code in site.langs})


# --- entities, matrix, gaps, changes, graph, index --------------------------------------------

def _entity_pages(site: _Site) -> None:
    from kg.explain import explain

    for iri in sorted(site.entities):
        kind, rel = site.entities[iri]
        card = explain(iri, lang=site.main, store=site.store, endpoint=site.endpoint).to_dict()
        card["kind"] = kind
        site.page(rel, card["label"] or compact(iri), card_html(card, site.href(rel)),
                  group="entity")


def _entities_index(site: _Site, labels: dict[str, str]) -> None:
    rel = "entities.html"
    href = site.href(rel)
    by_kind: dict[str, list[str]] = {}
    for iri, (kind, _p) in site.entities.items():
        by_kind.setdefault(kind, []).append(iri)
    toc, sections = [], []
    for kind, heading in _KIND_ORDER:
        members = sorted(by_kind.get(kind, []), key=lambda i: (labels[i].casefold(), i))
        if not members:
            continue
        toc.append(f'<li><a href="#{kind}">{esc(heading)}</a> ({len(members)})</li>')
        items = "".join(f"<li>{link(i, labels[i], href)} "
                        f'<span class="muted">{esc(compact(i))}</span></li>' for i in members)
        sections.append(f'<h2 id="{kind}">{esc(heading)} ({len(members)})</h2><ul>{items}</ul>')
    site.page(rel, "Everything in the graph", f"<ul>{''.join(toc)}</ul>" + "\n".join(sections))


def _matrix_plan(site: _Site) -> list[tuple[str, str, str | None, str]]:
    """(file, date, diff date, title) of the matrix pages, when kg.matrix exists."""
    if importlib.util.find_spec("kg.matrix") is None:
        return []
    first, second = COMPARE
    plan = [(f"matrix/{site.on}.html", site.on, None, f"on {site.on} (--on)")]
    for day in COMPARE:
        if day != site.on:
            plan.append((f"matrix/{day}.html", day, None, f"on {day}"))
    plan.append((f"matrix/{second}-since-{first}.html", second, first,
                 f"on {second}, changes since {first} marked"))
    return plan


def _matrix_pages(site: _Site, plan) -> None:
    from kg.matrix import format_html, matrix

    for rel, day, since, _title in plan:
        m = matrix(day, diff=since, lang=site.main, store=site.store, endpoint=site.endpoint)
        site.write(rel, format_html(m), "matrix")


def _gap_pages(site: _Site, days: list[str]) -> None:
    from kg.gaps import gaps

    for day in days:
        rel = f"gaps/{day}.html"
        report = gaps(day, backend=site.ctx.backend).to_dict()
        others = " · ".join(f'<a href="{esc(site.rel(rel, f"gaps/{d}.html"))}">{esc(d)}</a>'
                            for d in days if d != day)
        body = (f'<p class="muted">Coordination gaps the graph shows on {esc(day)}, found '
                "by the gap queries from its structure. Other dates: " + others + "</p>"
                + gaps_html(report, site.href(rel)))
        site.page(rel, f"Gaps on {day}", body, group="gaps")


def _changes_page(site: _Site) -> None:
    from kg.diff import diff

    rel = "changes.html"
    href = site.href(rel)
    first, second = COMPARE
    d = diff(first, second, lang=site.main, store=site.store, endpoint=site.endpoint).to_dict()
    rows = []
    for m in d.get("moved") or []:
        event = m.get("event") or {}
        rows.append(
            f"<tr><td>{link(m['function']['iri'], m['function'].get('label'), href)}</td>"
            f"<td>{link(PREFIXES['role'] + m['role'], m['role'], href)}</td>"
            f"<td>{link(m['from_body']['iri'], m['from_body'].get('label'), href)}</td>"
            f"<td>{link(m['to_body']['iri'], m['to_body'].get('label'), href)}</td>"
            f"<td>{link(event['iri'], event.get('label'), href) if event.get('iri') else '-'}"
            "</td></tr>")
    body = [f"<p>What changed between {esc(first)} and {esc(second)} (<code>migkg diff</code>)."
            "</p>", f"<h2>Moved ({len(rows)})</h2>"]
    body.append("<table class=\"wide\"><tr><th>function</th><th>role</th><th>from</th>"
                "<th>to</th><th>change event</th></tr>" + "".join(rows) + "</table>"
                if rows else "<p>Nothing moved.</p>")
    for key, title in (("began", "Began"), ("ended", "Ended")):
        entries = d.get(key) or []
        body.append(f"<h2>{title} ({len(entries)})</h2>")
        body.append(assignments_table(entries, href) if entries else "<p>None.</p>")
    site.page(rel, f"Changes from {first} to {second}", "\n".join(body), group="changes")


def _graph_pages(site: _Site) -> None:
    from visualise import render

    render(site.ctx.backend, site.root / "graph.html", lang=site.main,
           title="migkg: the graph")
    render(site.ctx.backend, site.root / "timeline.html", lang=site.main, timeline=True,
           title="migkg: who held what, when")
    for name in ("graph.html", "timeline.html"):
        path = site.root / name
        os.chmod(path, 0o644)
        site.files += 1
        site.bytes += path.stat().st_size
        site.pages.setdefault("graph", []).append(name)


def _index_page(site: _Site, onto: _Onto, plan, gap_days: list[str], triples: int) -> None:
    rel = "index.html"
    comments, code = _pick(_lit_by_lang(onto.head.get(_RDFS + "comment", [])), site.main)
    counts: dict[str, int] = {}
    for kind, _p in site.entities.values():
        counts[kind] = counts.get(kind, 0) + 1
    kinds = ", ".join(f'<a href="entities.html#{kind}">{esc(heading.lower())}</a> '
                      f"({counts[kind]})" for kind, heading in _KIND_ORDER if counts.get(kind))
    terms = sum(len(v) for v in onto.groups.values())
    langs = " · ".join(f'<a href="ontology/{c}.html" hreflang="{c}">{c}</a>'
                       for c in site.langs)
    slangs = " · ".join(f'<a href="schemes/{c}.html" hreflang="{c}">{c}</a>'
                        for c in site.langs)
    parts = [
        f"<p>{_text_in(comments, code, site.main)}</p>" if comments else "",
        f'<p class="muted">{triples} triples; {len(site.entities)} things with a page; '
        f"{terms} terms of the ontology; "
        f"{sum(len(v) for v in onto.concepts.values())} concepts in "
        f"{len(onto.schemes)} schemes.</p>",
        "<h2>The ontology</h2>",
        f"<p>Every class and property with its labels, definition, source, domain and range: "
        f"{langs}.</p>",
        f"<p>The SKOS schemes (roles with their RACI mapping, evidence grades A–E, RACI, MGI "
        f"domains and sub-areas, function kinds, units): {slangs}.</p>",
        "<h2>What the graph holds</h2>",
        f'<p><a href="entities.html">Everything, by kind</a>: {kinds}. Each page is the '
        "card of <code>migkg explain</code>: labels in every language, assignments over time "
        "with role, period, legal basis, evidence grade and sources, related acts, and what "
        "refers to it.</p>",
    ]
    if plan:
        items = "".join(f'<li><a href="{esc(p)}">Responsibility matrix {esc(t)}</a></li>'
                        for p, _d, _s, t in plan)
        parts.append("<h2>Who is responsible for what</h2><ul>" + items
                     + '<li><a href="changes.html">What changed from '
                     f"{COMPARE[0]} to {COMPARE[1]}</a></li></ul>"
                     "<p class=\"muted\">Functions × bodies: the RACI letter of each "
                     "assignment, its role, period, legal basis and grade (hover a cell).</p>")
    else:
        parts.append('<h2>Who is responsible for what</h2><ul><li><a href="changes.html">'
                     f"What changed from {COMPARE[0]} to {COMPARE[1]}</a></li></ul>")
    parts.append("<h2>Gaps</h2><ul>" + "".join(
        f'<li><a href="gaps/{esc(d)}.html">Gap report on {esc(d)}</a></li>' for d in gap_days)
        + "</ul>")
    parts.append('<h2>Pictures</h2><ul><li><a href="graph.html">The graph to explore</a> '
                 "(search, filter by kind, click for details)</li>"
                 '<li><a href="timeline.html">The timeline of assignments</a></li></ul>')
    site.page(rel, "Who governs migration in Kazakhstan", "\n".join(parts), group="index")


# --- entry point -----------------------------------------------------------------------------

def build_docs(output: Path | str, *, langs: list[str] | tuple[str, ...] | None = None,
               on: str | None = None, store: Path | str | None = None,
               endpoint: str | None = None) -> DocsResult:
    """Write the site into ``output`` (atomically) and say what was written.

    ``langs``: the languages of the ontology and scheme pages (default en, ru, kk); the
    first is also the language of the other pages. ``on``: the date of the current matrix
    and gap report (default today). Raises UsageError for bad options and for an ``output``
    folder that holds something other than an earlier site.
    """
    started = time.perf_counter()
    chosen: list[str] = []
    for lang in langs or LANGS:
        code = check_lang(lang)
        if code not in chosen:
            chosen.append(code)
    day = parse_date(on, "--on")
    out = _check_output(output)
    ctx = get_context(store, endpoint)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        site = _Site(ctx, staging, chosen, day, store=store, endpoint=endpoint)
        plan = _matrix_plan(site)
        site.matrix_first = plan[0][0] if plan else None
        site.collect_entities()
        onto = _read_ontology(site)
        labels = fetch_labels(ctx, site.entities, site.main)
        rows = ctx.backend.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        triples = int(rows[0]["n"].value) if rows else 0
        gap_days = sorted({day, *COMPARE})
        for lang in chosen:
            _ontology_page(site, onto, lang)
            _schemes_page(site, onto, lang)
        _entities_index(site, labels)
        _entity_pages(site)
        _matrix_pages(site, plan)
        _gap_pages(site, gap_days)
        _changes_page(site)
        _graph_pages(site)
        _index_page(site, onto, plan, gap_days, triples)
        site.write(MARKER, "This folder was written by `migkg docs`; "
                           "`migkg docs -o` may replace it as a whole.\n")
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return DocsResult(
        output=out, files=site.files, bytes=site.bytes, entities=len(site.entities),
        terms=sum(len(v) for v in onto.groups.values()),
        concepts=sum(len(v) for v in onto.concepts.values()), langs=chosen, on=day,
        matrix=bool(plan), seconds=time.perf_counter() - started,
        pages={k: sorted(v) for k, v in site.pages.items()},
    )

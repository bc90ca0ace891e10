"""Text matching for ``who`` and ``explain``: a label index built once per store generation.

Every matchable thing (function, programme/quota/benefit/service, system, category, act,
article, event, body) contributes all its ``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel`` and ``eli:title`` in every language. Labels and queries are normalised
(NFKC, casefold, ё→е, punctuation and control characters dropped, stop words removed) and
compared word by word, forgiving word order, inflection (shared word prefix) and small typos
(one or two edits, transpositions count once).

The index is one SPARQL query away from the store; on the embedded store it is written next
to the store's current generation (``who-index.v<N>.marshal``, plain builtins only) so a cold
process loads it instead of querying, and memoised in the process for warm calls. A rebuilt
store is a new generation folder, so a stale index is never read.
"""

from __future__ import annotations

import marshal
import math
import os
import tempfile
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.kinds import KINDS
from kg.namespaces import PREFIXES, sparql_prologue

__all__ = [
    "MATCH_KINDS",
    "LabelIndex",
    "Match",
    "best_label",
    "build_index",
    "normalise",
    "token_similarity",
    "tokens",
]

INDEX_VERSION = 4
_CACHE_NAME = f"who-index.v{INDEX_VERSION}.marshal"

# kinds a text can match, in the order that breaks ties (a function before a body…)
MATCH_KINDS: tuple[str, ...] = (
    "function", "programme", "system", "category", "act", "article", "event", "body",
)
_LABEL_PROPS = {
    PREFIXES["rdfs"] + "label": 0,
    PREFIXES["skos"] + "prefLabel": 1,
    PREFIXES["eli"] + "title": 2,
    PREFIXES["skos"] + "altLabel": 3,
}
_MAX_TOKENS = 32
_MAX_TOKEN_LEN = 40

_STOPWORD_LINES = (
    "a an and the of for to in on at by with from as or is are was were be been does do did",
    "who whom whose what which where when how why that this these those it its their there",
    "responsible responsibility charge charged handles handle deals about any all",
    "и в во на по для с со к ко о об от из при за у а или что кто какой какая какие каким",
    "чем чей чья ли же это этот эта эти отвечает отвечают ответственен ответственный",
    "занимается занимаются",
    "және мен пен бен үшін кім не қандай қай бұл осы туралы",
)
STOPWORDS = frozenset(w for line in _STOPWORD_LINES for w in line.split())


def normalise(text: str) -> str:
    """Casefold, ё→е, letters and digits only (everything else is a space), one space apart."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LN":
            out.append(ch)
        elif cat[0] == "M":  # combining accents: drop
            continue
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def tokens(text: str, *, keep_stopwords: bool = False) -> tuple[str, ...]:
    """The words of ``text`` that matter for matching (stop words dropped unless all are)."""
    words = [w[:_MAX_TOKEN_LEN] for w in normalise(text).split()[: _MAX_TOKENS * 4]]
    kept = [w for w in words if w not in STOPWORDS]
    if keep_stopwords or not kept:
        kept = words
    return tuple(kept[:_MAX_TOKENS])


def _osa(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition is one edit), cut off at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        row_min = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def token_similarity(q: str, t: str) -> float:
    """How well word ``t`` of a label answers word ``q`` of a query, 0..1.

    Equal 1; one a prefix of the other or a long shared prefix (inflection: permit/permits,
    разрешение/разрешения, қандас/қандастарды) 0.6-0.95; one or two edits (typos) 0.7-0.8.
    """
    if q == t:
        return 1.0
    short, long_ = (q, t) if len(q) <= len(t) else (t, q)
    if len(short) < 3 or short.isdigit() or long_.isdigit():
        return 0.0
    cp = 0
    for x, y in zip(short, long_, strict=False):
        if x != y:
            break
        cp += 1
    best = 0.0
    if cp == len(short) and len(short) >= 4:
        best = 0.6 + 0.35 * cp / len(long_)
    elif cp >= 5 and cp >= 0.6 * len(short):
        best = 0.55 + 0.35 * cp / len(long_)
    if len(short) >= 4:
        limit = 1 if len(long_) <= 6 else 2
        dist = _osa(q, t, limit)
        if dist <= limit:
            best = max(best, 0.9 - 0.1 * dist)
    return best


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass(frozen=True)
class Match:
    """One entity matched by text: its index entry, the score 0..1, and the label that matched."""

    iri: str
    kind: str
    score: float
    label: str
    lang: str


def best_label(labels: dict[str, str], lang: str) -> str:
    """The label in ``lang``, else English, else any (sorted), else empty."""
    if lang in labels:
        return labels[lang]
    if "en" in labels:
        return labels["en"]
    if "" in labels:
        return labels[""]
    return labels[min(labels)] if labels else ""


class LabelIndex:
    """The searchable labels of every matchable thing, held as plain builtins.

    On disk (and in ``data``) entities and labels are kept as one marshalled record each,
    postings as packed ``array('I')`` bytes and trigrams as space-joined words, so a cold
    process loads a few large objects instead of millions of small ones; a record is
    decoded the first time a search or lookup touches it.
    """

    def __init__(self, data: dict) -> None:
        # one marshal([iri, kind, [types], {lang: label}]) per entity
        self._ent_rec: list[bytes] = data["entities"]
        self._lab_rec: list[bytes] = data["labels"]  # marshal((entity, lang, text, tokens))
        self._postings: dict[str, bytes] = data["postings"]
        self.vocab: list[str] = data["vocab"]
        self._trigrams: dict[str, str] = data["trigrams"]
        self._iris: list[str] = data["iris"]
        self.type_labels: dict[str, dict[str, str]] = data["type_labels"]
        self._by_iri: dict[str, int] | None = None
        self._ents: dict[int, list] = {}
        self._labs: dict[int, tuple] = {}
        self._posts: dict[str, array] = {}
        self.n_labels = len(self._lab_rec)
        self._max_idf = math.log(1 + self.n_labels) or 1.0

    @property
    def data(self) -> dict:
        return {
            "entities": self._ent_rec, "labels": self._lab_rec, "postings": self._postings,
            "vocab": self.vocab, "trigrams": self._trigrams, "iris": self._iris,
            "type_labels": self.type_labels,
        }

    @property
    def by_iri(self) -> dict[str, int]:
        if self._by_iri is None:
            self._by_iri = {iri: i for i, iri in enumerate(self._iris)}
        return self._by_iri

    def _label(self, li: int) -> tuple:
        """(entity, lang, text, tokens) of label ``li``."""
        lab = self._labs.get(li)
        if lab is None:
            lab = self._labs[li] = marshal.loads(self._lab_rec[li])
        return lab

    def _entity(self, idx: int) -> list:
        ent = self._ents.get(idx)
        if ent is None:
            ent = self._ents[idx] = marshal.loads(self._ent_rec[idx])
        return ent

    def postings(self, word: str) -> array:
        """The labels (indices, ascending) that contain ``word``."""
        post = self._posts.get(word)
        if post is None:
            post = array("I")
            post.frombytes(self._postings.get(word, b""))
            self._posts[word] = post
        return post

    def _trigram_words(self, tri: str) -> list[str]:
        words = self._trigrams.get(tri)
        return words.split(" ") if words else []

    # --- building ------------------------------------------------------------------------

    @classmethod
    def from_rows(
        cls,
        label_rows: Iterable[tuple[str, str, str, str, str]],
        type_rows: Iterable[tuple[str, str]],
        type_label_rows: Iterable[tuple[str, str, str]],
        subclass_rows: Iterable[tuple[str, str]],
    ) -> LabelIndex:
        """Rows: (iri, kind, prop, label, lang), (iri, type), (type, label, lang), (sub, sup)."""
        rank = {k: i for i, k in enumerate(MATCH_KINDS)}
        kinds: dict[str, str] = {}
        display: dict[str, dict[str, tuple[int, str]]] = {}
        raw: dict[str, set[tuple[str, str]]] = {}
        for iri, kind, prop, text, lang in label_rows:
            if iri not in kinds or rank[kind] < rank[kinds[iri]]:
                kinds[iri] = kind
            raw.setdefault(iri, set()).add((lang, text))
            pr = _LABEL_PROPS.get(prop, 9)
            cur = display.setdefault(iri, {}).get(lang)
            if cur is None or (pr, text) < cur:
                display[iri][lang] = (pr, text)
        supers: dict[str, set[str]] = {}
        for sub, sup in subclass_rows:
            supers.setdefault(sub, set()).add(sup)
        types: dict[str, set[str]] = {}
        for iri, typ in type_rows:
            types.setdefault(iri, set()).add(typ)
        type_labels: dict[str, dict[str, str]] = {}
        for typ, text, lang in type_label_rows:
            cur = type_labels.setdefault(typ, {})
            if lang not in cur or text < cur[lang]:
                cur[lang] = text
        entities: list[bytes] = []
        iris: list[str] = []
        labels: list[bytes] = []
        postings: dict[str, list[int]] = {}
        for iri in sorted(kinds):
            asserted = types.get(iri, set())
            specific = sorted(
                t for t in asserted if not any(t in supers.get(o, ()) for o in asserted if o != t)
            )
            specific.sort(key=lambda t: (not t.startswith(PREFIXES["mig"]), t))
            idx = len(entities)
            iris.append(iri)
            entities.append(marshal.dumps([iri, kinds[iri], specific,
                             {lang: text for lang, (_p, text) in display[iri].items()}]))
            for lang, text in sorted(raw[iri]):
                toks = tokens(text)
                if not toks:
                    continue
                li = len(labels)
                labels.append(marshal.dumps((idx, lang, text, toks)))
                for tok in set(toks):
                    postings.setdefault(tok, []).append(li)
        vocab = sorted(postings)
        trigrams: dict[str, list[str]] = {}
        for word in vocab:
            for tri in _trigrams(word):
                trigrams.setdefault(tri, []).append(word)
        return cls({
            "entities": entities, "labels": labels,
            "postings": {w: array("I", li).tobytes() for w, li in postings.items()},
            "vocab": vocab, "trigrams": {t: " ".join(ws) for t, ws in trigrams.items()},
            "iris": iris, "type_labels": type_labels,
        })

    # --- searching -----------------------------------------------------------------------

    def _candidates(self, q: str, *, fuzzy: bool) -> dict[str, float]:
        found: dict[str, float] = {}
        if q in self._postings:
            found[q] = 1.0
        if len(q) >= 3:
            stem = q[:3] if len(q) >= 4 else q
            i = bisect_left(self.vocab, stem)
            while i < len(self.vocab) and self.vocab[i].startswith(stem):
                word = self.vocab[i]
                if word not in found:
                    sim = token_similarity(q, word)
                    if sim > 0:
                        found[word] = sim
                i += 1
        if len(q) >= 4 and (fuzzy or max(found.values(), default=0.0) < 0.8):
            grams = _trigrams(q)
            counts: dict[str, int] = {}
            for tri in grams:
                for word in self._trigram_words(tri):
                    counts[word] = counts.get(word, 0) + 1
            need = max(1, len(grams) // 3)
            for word, n in counts.items():
                if n >= need and word not in found:
                    sim = token_similarity(q, word)
                    if sim > 0:
                        found[word] = sim
        return found

    def search(self, text: str, *, fuzzy: bool = False) -> list[Match]:
        """Entities whose labels match ``text``, best first (score, kind, label)."""
        qtoks = tokens(text)
        if not qtoks:
            return []
        n_labels = max(self.n_labels, 1)
        per_token: list[dict[str, float]] = [self._candidates(q, fuzzy=fuzzy) for q in qtoks]
        weights: list[float] = []
        for cands in per_token:
            if cands:
                word = max(cands, key=lambda w: (cands[w], -len(self.postings(w))))
                idf = math.log(1 + n_labels / len(self.postings(word)))
                weights.append(0.5 + 0.5 * min(idf / self._max_idf, 1.0))
            else:
                weights.append(0.75)
        total_w = sum(weights)
        nq = len(qtoks)
        hits: dict[int, list[float]] = {}
        for i, cands in enumerate(per_token):
            for word, sim in cands.items():
                for li in self.postings(word):
                    row = hits.get(li)
                    if row is None:
                        row = hits[li] = [0.0] * nq
                    row[i] = max(row[i], sim)
        word_sim: dict[str, float] = {}
        for cands in per_token:
            for word, sim in cands.items():
                if sim > word_sim.get(word, 0.0):
                    word_sim[word] = sim
        best: dict[int, tuple[float, int]] = {}
        for li, row in hits.items():
            ent, _lang, _text, label_toks = self._label(li)
            if tuple(label_toks) == qtoks:
                score = 1.0
            else:
                qcov = sum(w * s for w, s in zip(weights, row, strict=True)) / total_w
                lcov = sum(word_sim.get(t, 0.0) for t in label_toks) / len(label_toks)
                score = min(0.75 * qcov + 0.25 * lcov, 0.99)
                if qcov < 0.5 and not fuzzy:
                    continue
            if ent not in best or score > best[ent][0]:
                best[ent] = (score, li)
        rank = {k: i for i, k in enumerate(MATCH_KINDS)}
        out = []
        for ent, (score, li) in best.items():
            iri, kind, _types, _labels = self._entity(ent)
            _e, lang, label, _t = self._label(li)
            out.append(Match(iri, kind, round(score, 3), label, lang))
        out.sort(key=lambda m: (-m.score, rank[m.kind], m.label.casefold(), m.iri))
        return out

    def entity(self, iri: str) -> list | None:
        idx = self.by_iri.get(iri)
        return None if idx is None else self._entity(idx)


# --- building from a backend, caching --------------------------------------------------------

def _kind_values() -> str:
    rows = " ".join(f'("{k}" <{c}>)' for k in MATCH_KINDS for c in KINDS[k])
    return f"VALUES (?kind ?kindClass) {{ {rows} }}"


def _label_query() -> str:
    props = " ".join(f"<{p}>" for p in _LABEL_PROPS)
    return (
        sparql_prologue()
        + "SELECT ?x ?kind ?p ?l WHERE { " + _kind_values()
        + " ?x a/rdfs:subClassOf* ?kindClass . FILTER(isIRI(?x)) "
        + f"VALUES ?p {{ {props} }} ?x ?p ?l . FILTER(isLiteral(?l)) }}"
    )


def _type_query() -> str:
    return (
        sparql_prologue()
        + "SELECT DISTINCT ?x ?t WHERE { " + _kind_values()
        + " ?x a/rdfs:subClassOf* ?kindClass . FILTER(isIRI(?x)) ?x a ?t . FILTER(isIRI(?t)) }"
    )


_TYPE_LABELS = (
    sparql_prologue()
    + "SELECT DISTINCT ?t ?l WHERE { { ?t a owl:Class } UNION { ?t rdfs:subClassOf ?any } "
    "?t rdfs:label ?l . FILTER(isIRI(?t)) }"
)
_SUBCLASSES = (
    sparql_prologue()
    + "SELECT DISTINCT ?c ?d WHERE { ?c rdfs:subClassOf+ ?d . FILTER(isIRI(?c) && isIRI(?d)) }"
)


def build_index(backend) -> LabelIndex:
    """Query the backend for every label of every matchable thing and index them."""
    label_rows = [
        (r["x"].value, r["kind"].value, r["p"].value, r["l"].value,
         getattr(r["l"], "language", None) or "")
        for r in backend.select(_label_query())
    ]
    type_rows = [(r["x"].value, r["t"].value) for r in backend.select(_type_query())]
    type_label_rows = [
        (r["t"].value, r["l"].value, getattr(r["l"], "language", None) or "")
        for r in backend.select(_TYPE_LABELS)
    ]
    subclass_rows = [(r["c"].value, r["d"].value) for r in backend.select(_SUBCLASSES)]
    return LabelIndex.from_rows(label_rows, type_rows, type_label_rows, subclass_rows)


_MEMO: dict[str, LabelIndex] = {}


def cached_index(backend, key: str, folder: Path | None) -> LabelIndex:
    """The index for ``key`` (a generation folder or endpoint URL), from memory, disk or built.

    ``folder`` is where to keep it on disk (the store generation); None for an endpoint.
    Writing is best effort (a read-only store still works, just without the file).
    """
    index = _MEMO.get(key)
    if index is not None:
        return index
    path = folder / _CACHE_NAME if folder is not None else None
    if path is not None and path.is_file():
        try:
            with open(path, "rb") as handle:
                data = marshal.load(handle)
            index = LabelIndex(data)
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            index = None
    if index is None:
        index = build_index(backend)
        if path is not None:
            _write_atomic(path, index.data)
    _MEMO[key] = index
    return index


def _write_atomic(path: Path, data: dict) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            marshal.dump(data, handle)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)

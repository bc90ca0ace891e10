"""Text matching for ``who`` and ``explain``: a label index built once per store generation.

Every matchable thing (function, programme/quota/benefit/service, system, category, act,
article, event, body) contributes all its ``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel`` and ``eli:title`` in every language. Labels and queries are normalised
(NFKC, casefold, ё→е, punctuation and control characters dropped, stop words removed) and
compared word by word, forgiving word order, inflection (shared word prefix) and small typos
(one or two edits, transpositions count once).

The index is a few SPARQL queries away from the store; on the embedded store it is written
next to the store's current generation (``who-index.v<N>.bin``: packed arrays and marshal
records, see ``LabelIndex``) so a cold process maps it instead of querying, and memoised in
the process for warm calls. A rebuilt store is a new generation folder, so a stale index is
never read.
"""

from __future__ import annotations

import heapq
import marshal
import math
import mmap
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
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

INDEX_VERSION = 8
_CACHE_NAME = f"who-index.v{INDEX_VERSION}.bin"
_MAGIC = b"MIGKGIX8"

# kinds a text can match, in the order that breaks ties (a function before a body…)
MATCH_KINDS: tuple[str, ...] = (
    "function", "programme", "system", "category", "act", "article", "event", "body",
)
_RANK = {k: i for i, k in enumerate(MATCH_KINDS)}
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
    """The searchable labels of every matchable thing, in a few flat buffers.

    Entities are sorted by IRI; each has a kind, a record (its specific types and one display
    label per language) and labels; each label has its entity, a record (language, text), its
    words as vocabulary ids and its rank in casefold order. Every table is a packed
    ``array('I')``/``('B')`` or one blob of concatenated marshal records with an offset table,
    kept in a single file that a cold process maps instead of reading (see ``load``): a search
    reads only the postings of the query's words, the words of the labels they hit and the
    records of the matches it returns.
    """

    def __init__(self, meta: dict, buffer: bytes | mmap.mmap, base: int) -> None:
        self._buffer = buffer  # keeps the map (or bytes) alive
        view = memoryview(buffer)
        size = len(view)
        tables: dict[str, memoryview] = {}
        for name, (offset, length, fmt) in meta["sections"].items():
            start = base + offset
            if not (offset >= 0 and length >= 0 and start + length <= size):
                raise ValueError(f"who index: section {name} out of bounds")
            tables[name] = view[start : start + length].cast(fmt)
        self.vocab: list[str] = meta["vocab"]
        self.type_labels: dict[str, dict[str, str]] = meta["type_labels"]
        # display labels of things answers cite but text does not match (sources), per language
        self.names: dict[str, dict[str, str]] = meta["names"]
        self._types: list[str] = meta["types"]
        self._trigram_table = tables["trigrams"]  # marshal({trigram: "word word…"}), on demand
        self._trigrams: dict[str, str] | None = None
        self.n_entities = n = meta["n_entities"]
        self.n_labels = m = meta["n_labels"]
        self._iri_off, self._iri = tables["iri_off"], tables["iri"]
        self._kind = tables["ent_kind"]
        self._ent_off, self._ent = tables["ent_off"], tables["ent"]
        self._lab_ent = tables["lab_ent"]
        self._lab_off, self._lab = tables["lab_off"], tables["lab"]
        self._lab_rank = tables["lab_rank"]
        self._tok_off, self._tok = tables["tok_off"], tables["tok"]
        self._post_off, self._post = tables["post_off"], tables["post"]
        counts = {
            "iri_off": n + 1, "ent_kind": n, "ent_off": n + 1, "lab_ent": m, "lab_off": m + 1,
            "lab_rank": m, "tok_off": m + 1, "post_off": len(self.vocab) + 1,
        }
        for name, want in counts.items():
            if len(tables[name]) != want:
                raise ValueError(f"who index: section {name} has the wrong length")
        self._found: dict[str, int | None] = {}
        self._ents: dict[int, list] = {}
        self._max_idf = math.log(1 + self.n_labels) or 1.0

    # --- the file ------------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, data: bytes | mmap.mmap) -> LabelIndex:
        """The index in ``data`` (what ``to_bytes`` wrote); ValueError if it is not one."""
        if len(data) < 16 or data[:8] != _MAGIC:
            raise ValueError("not a who index")
        head = int.from_bytes(data[8:16], "little")
        if head > len(data) - 16:
            raise ValueError("who index: truncated")
        meta = marshal.loads(data[16 : 16 + head])
        if not isinstance(meta, dict):
            raise ValueError("who index: bad header")
        return cls(meta, data, _align(16 + head))

    @classmethod
    def load(cls, path: Path) -> LabelIndex:
        """The index in file ``path``, memory-mapped (read when it cannot be mapped)."""
        with open(path, "rb") as handle:
            try:
                data: bytes | mmap.mmap = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):
                data = handle.read()
        return cls.from_bytes(data)

    def to_bytes(self) -> bytes:
        names = ("iri_off", "iri", "ent_kind", "ent_off", "ent", "lab_ent", "lab_off", "lab",
                 "lab_rank", "tok_off", "tok", "post_off", "post", "trigrams")
        parts = {
            "iri_off": self._iri_off, "iri": self._iri, "ent_kind": self._kind,
            "ent_off": self._ent_off, "ent": self._ent, "lab_ent": self._lab_ent,
            "lab_off": self._lab_off, "lab": self._lab, "lab_rank": self._lab_rank,
            "tok_off": self._tok_off, "tok": self._tok, "post_off": self._post_off,
            "post": self._post, "trigrams": self._trigram_table,
        }
        return _pack(
            {"vocab": self.vocab, "type_labels": self.type_labels, "types": self._types,
             "names": self.names, "n_entities": self.n_entities, "n_labels": self.n_labels},
            [(name, parts[name].tobytes(), parts[name].format) for name in names],
        )

    # --- records -------------------------------------------------------------------------

    def iri(self, idx: int) -> str:
        return str(self._iri[self._iri_off[idx] : self._iri_off[idx + 1]], "utf-8")

    def _entity(self, idx: int) -> list:
        """[iri, kind, [specific types], {lang: display label}] of entity ``idx``."""
        ent = self._ents.get(idx)
        if ent is None:
            types, labels = marshal.loads(self._ent[self._ent_off[idx] : self._ent_off[idx + 1]])
            ent = [self.iri(idx), MATCH_KINDS[self._kind[idx]], [self._types[t] for t in types],
                   labels]
            self._ents[idx] = ent
        return ent

    def _label(self, li: int) -> tuple[str, str]:
        """(lang, text) of label ``li``."""
        return marshal.loads(self._lab[self._lab_off[li] : self._lab_off[li + 1]])

    def _find(self, iri: str) -> int | None:
        """The entity index of ``iri`` (binary search: UTF-8 order is code point order)."""
        if iri in self._found:
            return self._found[iri]
        try:
            key = iri.encode("utf-8")
        except UnicodeEncodeError:
            return None
        lo, hi = 0, self.n_entities
        off, blob = self._iri_off, self._iri
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[off[mid] : off[mid + 1]].tobytes() < key:
                lo = mid + 1
            else:
                hi = mid
        found = lo if lo < self.n_entities and blob[off[lo] : off[lo + 1]] == key else None
        if len(self._found) < 100_000:
            self._found[iri] = found
        return found

    def entity(self, iri: str) -> list | None:
        idx = self._find(iri)
        return None if idx is None else self._entity(idx)

    def _word_id(self, word: str) -> int:
        """The vocabulary id of ``word``, -1 if no label has it."""
        i = bisect_left(self.vocab, word)
        return i if i < len(self.vocab) and self.vocab[i] == word else -1

    def postings(self, word: str) -> Sequence[int]:
        """The labels (indices, ascending) that contain ``word``."""
        wid = self._word_id(word)
        if wid < 0:
            return ()
        return self._post[self._post_off[wid] : self._post_off[wid + 1]]

    def _trigram_words(self, tri: str) -> list[str]:
        if self._trigrams is None:
            self._trigrams = marshal.loads(self._trigram_table)
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
        name_rows: Iterable[tuple[str, int, str, str]] = (),
    ) -> LabelIndex:
        """Rows: (iri, kind, prop, label, lang), (iri, type), (type, label, lang), (sub, sup),
        (iri, property rank, label, lang) of the things only named (see ``fetch_labels``)."""
        names: dict[str, dict[str, tuple[int, str]]] = {}
        for iri, prop_rank, text, lang in name_rows:
            cur = names.setdefault(iri, {}).get(lang)
            if cur is None or (prop_rank, text) < cur:
                names[iri][lang] = (prop_rank, text)
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
        type_ids: dict[str, int] = {}
        iri_off, iri_blob = array("I", [0]), bytearray()
        ent_kind, ent_off, ent_blob = array("B"), array("I", [0]), bytearray()
        lab_ent, lab_off, lab_blob = array("I"), array("I", [0]), bytearray()
        lab_toks: list[tuple[str, ...]] = []
        lab_folded: list[str] = []
        postings: dict[str, list[int]] = {}
        for idx, iri in enumerate(sorted(kinds)):
            asserted = types.get(iri, set())
            specific = sorted(
                t for t in asserted if not any(t in supers.get(o, ()) for o in asserted if o != t)
            )
            specific.sort(key=lambda t: (not t.startswith(PREFIXES["mig"]), t))
            iri_blob += iri.encode("utf-8")
            iri_off.append(len(iri_blob))
            ent_kind.append(rank[kinds[iri]])
            ent_blob += marshal.dumps((
                [type_ids.setdefault(t, len(type_ids)) for t in specific],
                {lang: text for lang, (_p, text) in sorted(display[iri].items())},
            ))
            ent_off.append(len(ent_blob))
            for lang, text in sorted(raw[iri]):
                toks = tokens(text)
                if not toks:
                    continue
                li = len(lab_ent)
                lab_ent.append(idx)
                lab_blob += marshal.dumps((lang, text))
                lab_off.append(len(lab_blob))
                lab_toks.append(toks)
                lab_folded.append(text.casefold())
                for tok in set(toks):
                    postings.setdefault(tok, []).append(li)
        lab_rank = array("I", bytes(4 * len(lab_folded)))
        rank_no, previous = -1, None
        for li in sorted(range(len(lab_folded)), key=lab_folded.__getitem__):
            if lab_folded[li] != previous:
                rank_no, previous = rank_no + 1, lab_folded[li]
            lab_rank[li] = rank_no
        vocab = sorted(postings)
        word_id = {w: i for i, w in enumerate(vocab)}
        tok_off, tok = array("I", [0]), array("I")
        for toks in lab_toks:
            tok.extend(word_id[t] for t in toks)
            tok_off.append(len(tok))
        post_off, post = array("I", [0]), array("I")
        trigrams: dict[str, list[str]] = {}
        for word in vocab:
            post.extend(postings[word])
            post_off.append(len(post))
            for tri in _trigrams(word):
                trigrams.setdefault(tri, []).append(word)
        return cls.from_bytes(_pack(
            {"vocab": vocab, "types": list(type_ids),
             "names": {iri: {lang: text for lang, (_r, text) in sorted(ls.items())}
                       for iri, ls in sorted(names.items())},
             "type_labels": {t: dict(sorted(ls.items())) for t, ls in sorted(type_labels.items())},
             "n_entities": len(ent_kind), "n_labels": len(lab_ent)},
            [("iri_off", iri_off.tobytes(), "I"), ("iri", bytes(iri_blob), "B"),
             ("ent_kind", ent_kind.tobytes(), "B"), ("ent_off", ent_off.tobytes(), "I"),
             ("ent", bytes(ent_blob), "B"), ("lab_ent", lab_ent.tobytes(), "I"),
             ("lab_off", lab_off.tobytes(), "I"), ("lab", bytes(lab_blob), "B"),
             ("lab_rank", lab_rank.tobytes(), "I"),
             ("tok_off", tok_off.tobytes(), "I"), ("tok", tok.tobytes(), "I"),
             ("post_off", post_off.tobytes(), "I"), ("post", post.tobytes(), "I"),
             ("trigrams", marshal.dumps(
                 {t: " ".join(ws) for t, ws in sorted(trigrams.items())}), "B")],
        ))

    # --- searching -----------------------------------------------------------------------

    def _candidates(self, q: str, *, fuzzy: bool) -> dict[str, float]:
        found: dict[str, float] = {}
        if self._word_id(q) >= 0:
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

    def search(
        self,
        text: str,
        *,
        fuzzy: bool = False,
        limit: int | None = None,
        min_score: float | None = None,
    ) -> list[Match]:
        """Entities whose labels match ``text``, best first (score, kind, label, IRI).

        With ``min_score``, only matches scoring at least that; with ``limit``, only the
        first ``limit`` of them (the same as slicing the whole list, without building it).

        Scoring, per label: 1 if its words are the query's; else 0.75 × the query words it
        covers (each weighted by rarity, by its best similar word in the label) + 0.25 × the
        share of its words that answer some query word, at most 0.99 — and when not
        ``fuzzy``, labels covering under half the query are dropped. An entity scores its
        best label (the first found, on a tie). Labels are grouped by which query words they
        cover and how well (set operations over the postings), so a group covering too
        little is dropped without looking at its labels.
        """
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
        word_sets: dict[str, set[int]] = {}
        groups = self._groups(per_token, word_sets)
        word_sim: dict[int, float] = {}
        for cands in per_token:
            for word, sim in cands.items():
                wid = self._word_id(word)
                if sim > word_sim.get(wid, 0.0):
                    word_sim[wid] = sim
        sim_of = word_sim.get
        qids = tuple(self._word_id(q) for q in qtoks)
        nq = len(qtoks)
        tok_off, tok, lab_ent = self._tok_off, self._tok, self._lab_ent
        plan = []
        for row, members in groups.items():
            qcov = sum(w * s for w, s in zip(weights, row, strict=True)) / total_w
            exact = -1 not in qids and all(s == 1.0 for s in row)
            keep = fuzzy or qcov >= 0.5
            if keep or exact:
                # the best a label of the group can score (lcov <= 1)
                bound = 1.0 if exact else min(0.75 * qcov + 0.25, 0.99)
                plan.append((bound, row, members, qcov, exact, keep))
        if limit is not None:
            plan.sort(key=lambda group: -group[0])
        best: dict[int, tuple[float, int, tuple[float, ...]]] = {}
        zeros = repeat(0.0)
        for bound, row, members, qcov, exact, keep in plan:
            if limit is not None and len(best) >= limit:
                # the first `limit` are settled when no label left can reach their scores
                kth = heapq.nlargest(limit, [round(v[0], 3) for v in best.values()])[-1]
                if round(bound, 3) < kth:
                    break
            base = 0.75 * qcov
            for li in members:
                ids = tok[tok_off[li] : tok_off[li + 1]]
                if exact and len(ids) == nq and tuple(ids) == qids:
                    score = 1.0
                elif keep:
                    score = min(base + 0.25 * (sum(map(sim_of, ids, zeros)) / len(ids)), 0.99)
                else:
                    continue
                ent = lab_ent[li]
                cur = best.get(ent)
                if (cur is None or score > cur[0] or (score == cur[0] and self._first(
                        li, row, per_token, word_sets) < self._first(
                        cur[1], cur[2], per_token, word_sets))):
                    best[ent] = (score, li, row)
        return self._ranked(best, limit, min_score)

    def _groups(
        self, per_token: list[dict[str, float]], word_sets: dict[str, set[int]]
    ) -> dict[tuple[float, ...], set[int]]:
        """The labels containing a candidate word, by row: per query word, the best similarity
        of a label word to it (0.0 if none)."""
        groups: dict[tuple[float, ...], set[int]] = {}
        covered: set[int] = set()
        for i, cands in enumerate(per_token):
            levels: list[tuple[float, set[int]]] = []
            seen: set[int] = set()
            for word, sim in sorted(cands.items(), key=lambda kv: -kv[1]):
                members = word_sets.get(word)
                if members is None:
                    members = word_sets[word] = set(self.postings(word))
                new = members - seen
                if not new:
                    continue
                seen |= new
                if levels and levels[-1][0] == sim:
                    levels[-1][1].update(new)
                else:
                    levels.append((sim, new))
            nxt: dict[tuple[float, ...], set[int]] = {}
            for row, members in groups.items():
                for sim, level in levels:
                    both = members & level
                    if both:
                        nxt[(*row, sim)] = both
                rest = members - seen
                if rest:
                    nxt[(*row, 0.0)] = rest
            fresh = seen - covered
            if fresh:
                zeros = (0.0,) * i
                for sim, level in levels:
                    new = level & fresh
                    if new:
                        nxt[(*zeros, sim)] = new
                covered |= fresh
            groups = nxt
        return groups

    def _first(
        self,
        li: int,
        row: tuple[float, ...],
        per_token: list[dict[str, float]],
        word_sets: dict[str, set[int]],
    ) -> tuple[int, int, int]:
        """When label ``li`` is first met going through the query words, their candidate words
        in order, and each word's labels in order (breaks ties between an entity's labels)."""
        i = next(n for n, s in enumerate(row) if s > 0.0)
        for c, word in enumerate(per_token[i]):
            if li in word_sets[word]:
                return (i, c, li)
        return (i, len(per_token[i]), li)  # pragma: no cover - li came from a candidate

    def _ranked(
        self,
        best: dict[int, tuple[float, int, tuple[float, ...]]],
        limit: int | None,
        min_score: float | None,
    ) -> list[Match]:
        """The matches sorted by (score, kind, label casefolded, IRI): labels carry their rank
        in casefold order and entities are numbered in IRI order, so only the matches returned
        are decoded."""
        kind, lab_rank = self._kind, self._lab_rank
        keyed = [(-round(score, 3), kind[ent], lab_rank[li], ent, li)
                 for ent, (score, li, _row) in best.items()]
        if min_score is not None:
            keyed = [key for key in keyed if -key[0] >= min_score]
        if limit is not None and len(keyed) > limit:
            keyed = heapq.nsmallest(limit, keyed)
        else:
            keyed.sort()
        out = []
        for neg, rank, _order, ent, li in keyed:
            lang, label = self._label(li)
            out.append(Match(self.iri(ent), MATCH_KINDS[rank], -neg, label, lang))
        return out


def _pack(meta: dict, sections: list[tuple[str, bytes, str]]) -> bytes:
    """The file: magic, header length, marshal(meta + section table), then the sections,
    8-aligned, their offsets counted from the end of the header (aligned)."""
    table: dict[str, tuple[int, int, str]] = {}
    pos = 0
    for name, data, fmt in sections:
        table[name] = (pos, len(data), fmt)
        pos = _align(pos + len(data))
    head = marshal.dumps({**meta, "sections": table})
    out = bytearray(_MAGIC + len(head).to_bytes(8, "little") + head)
    base = _align(len(out))
    for name, data, _fmt in sections:
        out += bytes(base + table[name][0] - len(out))
        out += data
    return bytes(out)


def _align(n: int) -> int:
    return (n + 7) // 8 * 8


# --- building from a backend, caching --------------------------------------------------------

def _kind_values() -> str:
    rows = " ".join(f'("{k}" <{c}>)' for k in MATCH_KINDS for c in KINDS[k])
    return f"VALUES (?kind ?kindClass) {{ {rows} }}"


def _label_query() -> str:
    # one UNION branch per property: Oxigraph then looks each ?x up (a VALUES ?p scans)
    props = " UNION ".join(f"{{ ?x <{p}> ?l BIND(<{p}> AS ?p) }}" for p in _LABEL_PROPS)
    return (
        sparql_prologue()
        + "SELECT ?x ?kind ?p ?l WHERE { " + _kind_values()
        + " ?x a/rdfs:subClassOf* ?kindClass . FILTER(isIRI(?x)) "
        + f"{props} FILTER(isLiteral(?l)) }}"
    )


def _type_query() -> str:
    return (
        sparql_prologue()
        + "SELECT DISTINCT ?x ?t WHERE { " + _kind_values()
        + " ?x a/rdfs:subClassOf* ?kindClass . FILTER(isIRI(?x)) ?x a ?t . FILTER(isIRI(?t)) }"
    )


def _name_query() -> str:
    """The labels of sources, ranked as ``kg.responsibility.fetch_labels`` ranks them."""
    classes = " ".join(f"<{c}>" for c in KINDS["source"])
    return (
        sparql_prologue()
        + f"SELECT ?s ?p ?l WHERE {{ VALUES ?cls {{ {classes} }} "
        "?s a/rdfs:subClassOf* ?cls . FILTER(isIRI(?s)) "
        "{ ?s rdfs:label ?l BIND(0 AS ?p) } UNION { ?s skos:prefLabel ?l BIND(1 AS ?p) } "
        "UNION { ?s eli:title ?l BIND(2 AS ?p) } UNION { ?s dcterms:title ?l BIND(3 AS ?p) } "
        "FILTER(isLiteral(?l)) }"
    )


_TYPE_LABELS = (
    sparql_prologue()
    + "SELECT DISTINCT ?t ?l WHERE { "
    "{ SELECT DISTINCT ?t WHERE { { ?t a owl:Class } UNION { ?t rdfs:subClassOf ?any } } } "
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
    name_rows = [
        (r["s"].value, int(r["p"].value), r["l"].value, getattr(r["l"], "language", None) or "")
        for r in backend.select(_name_query())
    ]
    return LabelIndex.from_rows(label_rows, type_rows, type_label_rows, subclass_rows, name_rows)


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
            index = LabelIndex.load(path)
        except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
            index = None
    if index is None:
        index = build_index(backend)
        if path is not None:
            import contextlib

            from kg.errors import MigkgError
            from kg.fileio import write_atomic

            with contextlib.suppress(OSError, MigkgError):
                write_atomic(path, index.to_bytes())
    _MEMO[key] = index
    return index

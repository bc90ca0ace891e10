"""The record layout analysts edit: one sheet per kind of record, one column per field.

This table is the contract between the graph and the spreadsheets (``migkg template``,
``migkg import``, ``migkg export --format xlsx|csv``). Each :class:`Field` names the RDF
property it stands for, its type, whether it is required, and — for text — the language of
its literals, so ``label_ru`` is ``rdfs:label`` with ``@ru``. Fields marked ``multi`` hold
several values in one cell separated by `` | ``.

Types:

``text``      a plain string literal (``xsd:string``)
``lang``      a language-tagged string (``field.lang``)
``date``      ``xsd:date`` (a date cell or ``YYYY-MM-DD``)
``year``      ``xsd:gYear`` (``2021``) or ``xsd:gYearMonth`` (``2020-03``)
``integer``   ``xsd:integer``
``decimal``   ``xsd:decimal``
``duration``  ``xsd:duration`` (``P1Y``)
``ref``       a reference to a thing of one of ``field.ref`` (kinds of :mod:`kg.kinds`):
              ``label [prefix:slug]`` as exported, or the ``prefix:slug``, the bare slug,
              or an exact label
``choice``    a closed list (:data:`CLOSED_LISTS`): the value's short name (``lead``, ``A``)
``type``      the record's class, one of ``sheet.types`` by its short name (``Ministry``)
``iri``       any IRI: a web address or ``prefix:slug``
``period``    the assignment's start (``from``) or inclusive end (``until``), ``xsd:date``;
              stored through ``mig:period`` (OWL-Time)

The ``id`` column is the local name of the record's IRI under the sheet's namespace
(``ministry-of-labour`` is ``body:ministry-of-labour``); left empty on a new row, it is
made from the English label (or, for assignments and observations, from what they link).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kg.errors import UsageError
from kg.namespaces import PREFIXES

__all__ = [
    "CLOSED_LISTS",
    "LANGUAGES",
    "SEPARATOR",
    "SHEETS",
    "ClosedList",
    "Field",
    "Sheet",
    "expand",
    "get_sheet",
    "slugify",
]

SEPARATOR = " | "
LANGUAGES = ("en", "ru", "kk", "kk-Latn")


def expand(curie: str) -> str:
    """``mig:Ministry`` → the full IRI (the prefixes of docs/model.md)."""
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return curie


@dataclass(frozen=True)
class ClosedList:
    """A closed list of values: members of ``namespace`` (from the graph's SKOS scheme
    ``<namespace>scheme`` when it has one, else ``defaults``), written by their short name."""

    name: str
    namespace: str  # a prefix of PREFIXES
    defaults: tuple[str, ...]
    scheme: bool = True  # members come from the graph's <ns>scheme
    description: str = ""


CLOSED_LISTS: dict[str, ClosedList] = {
    c.name: c
    for c in (
        ClosedList(
            "role", "role",
            ("coordinator", "co-executor", "consulted", "data-provider", "implementer",
             "informed", "lead", "operator", "participant", "proposal-developer",
             "service-provider"),
            description="role of the body in the assignment",
        ),
        ClosedList("grade", "grade", ("A", "B", "C", "D", "E"),
                   description="evidence grade: A statute, B by-law, C policy, D secondary, "
                               "E inference"),
        ClosedList(
            "function-kind", "kind",
            ("coordination", "data", "enforcement", "international", "permit", "policy",
             "protection", "regulation", "service", "status-determination"),
            description="kind of function",
        ),
        ClosedList("unit", "unit", ("mci", "percent", "persons", "usd", "usd-million"),
                   description="unit of measure"),
        ClosedList("status", "mig",
                   ("Draft", "Expired", "InForce", "Repealed", "StatusNotConfirmed"),
                   scheme=False, description="validity status of an act"),
        ClosedList("legal-basis-status", "mig", ("NotStatedInSources",), scheme=False,
                   description="set when no legal basis is known"),
    )
}

# literal closed lists (plain strings)
LITERAL_CHOICES: dict[str, tuple[str, ...]] = {
    "comparator": ("<", "=", ">"),
    "frequency": ("monthly", "one-time"),
}


@dataclass(frozen=True)
class Field:
    """One column: its name, the property it stands for, its type and constraints."""

    name: str
    prop: str | None  # compact IRI; None for id / type / period
    type: str
    required: bool = False
    multi: bool = False
    lang: str | None = None
    ref: tuple[str, ...] = ()
    choices: str | None = None
    help: str = ""

    @property
    def prop_iri(self) -> str | None:
        return expand(self.prop) if self.prop else None

    def describe(self) -> str:
        """The description shown under the header: required?, type, property."""
        need = "(required)" if self.required else "(optional)"
        kind = {
            "id": "id: letters, digits, '-' (empty: made from the English label)",
            "text": "text",
            "lang": f"text in {_LANG_NAMES.get(self.lang or '', self.lang)} (@{self.lang})",
            "date": "date YYYY-MM-DD",
            "year": "year YYYY (or YYYY-MM)",
            "integer": "whole number",
            "decimal": "number",
            "duration": "ISO duration, e.g. P1Y",
            "ref": "reference to " + " or ".join(self.ref) + " (pick from the list, "
                   "or type its id or exact label)",
            "choice": f"one of the list '{self.choices}'",
            "type": "kind of record (pick from the list)",
            "iri": "web address or prefix:id",
            "period": "date YYYY-MM-DD",
        }[self.type]
        if self.multi:
            kind += "; several separated by ' | '"
        parts = [need, kind]
        if self.help:
            parts.append(self.help)
        if self.prop:
            parts.append(self.prop)
        return " · ".join(parts)


_LANG_NAMES = {"en": "English", "ru": "Russian", "kk": "Kazakh", "kk-Latn": "Kazakh (Latin)"}


@dataclass(frozen=True)
class Sheet:
    """One kind of record: its sheet name, namespace, classes and columns."""

    name: str
    kind: str  # a kind of kg.kinds.KINDS (for references to records of this sheet)
    namespace: str  # prefix for new IRIs
    types: tuple[str, ...]  # compact class IRIs; the first is the default for new rows
    fields: tuple[Field, ...]
    constants: tuple[tuple[str, str], ...] = ()  # (property, object) added to every record
    title: str = ""
    slug_from: tuple[str, ...] = ("label_en",)
    preflabel: bool = False  # mirror rdfs:label as skos:prefLabel (SKOS concepts)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def type_iris(self) -> tuple[str, ...]:
        return tuple(expand(t) for t in self.types)


# --- building blocks ------------------------------------------------------------------------

def _id() -> Field:
    return Field("id", None, "id")


def _type(required: bool = False) -> Field:
    return Field("type", None, "type", required=required)


def _labels(en: bool = True, ru: bool = False, kk: bool = True) -> tuple[Field, ...]:
    out = [Field("label_en", "rdfs:label", "lang", required=en, lang="en")]
    out.append(Field("label_ru", "rdfs:label", "lang", required=ru, lang="ru"))
    if kk:
        out.append(Field("label_kk", "rdfs:label", "lang", lang="kk"))
    return tuple(out)


def _altlabels(latin: bool = False) -> tuple[Field, ...]:
    out = [Field(f"altlabels_{lang}", "skos:altLabel", "lang", multi=True, lang=lang,
                 help="other names, abbreviations, unofficial labels")
           for lang in ("en", "ru", "kk")]
    if latin:
        out.append(Field("altlabels_kk_latn", "skos:altLabel", "lang", multi=True,
                         lang="kk-Latn"))
    return tuple(out)


def _definitions() -> tuple[Field, ...]:
    return (Field("definition_en", "skos:definition", "lang", lang="en"),
            Field("definition_ru", "skos:definition", "lang", lang="ru"))


def _notes() -> tuple[Field, ...]:
    return (Field("note_en", "skos:note", "lang", multi=True, lang="en"),)


def _evidence(required: bool = True) -> tuple[Field, ...]:
    return (
        Field("source", "dcterms:source", "ref", required=required, multi=True,
              ref=("source",), help="where the fact is stated (a section of the paper, a "
                                    "web page…)"),
        Field("quote_en", "mig:quote", "lang", multi=True, lang="en",
              help="the source's sentence, verbatim"),
        Field("quote_ru", "mig:quote", "lang", multi=True, lang="ru"),
    )


_ACT_REF = ("act", "article")


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "bodies", "body", "body",
        ("mig:StateBody", "mig:HeadOfState", "mig:Government", "mig:Ministry", "mig:Committee",
         "mig:DepartmentalCommittee", "mig:ServiceUnit", "mig:LocalExecutiveBody",
         "mig:StateCompany", "mig:NonGovernmentalOrganisation", "mig:InternationalOrganisation",
         "mig:ProposedBody", "org:Organization", "prov:Person"),
        (
            _id(), _type(required=True), *_labels(ru=True), *_altlabels(latin=True),
            *_definitions(),
            Field("unit_of", "org:unitOf", "ref", ref=("body",),
                  help="the organisation it is a unit of"),
            Field("sub_organization_of", "org:subOrganizationOf", "ref", ref=("body",),
                  help="the organisation it belongs to"),
            Field("member_state", "mig:memberState", "ref", multi=True, ref=("place",)),
            *_notes(), *_evidence(),
        ),
        title="state bodies, units, organisations, persons",
    ),
    Sheet(
        "acts", "act", "act",
        ("mig:Law", "mig:Code", "mig:PresidentialDecree", "mig:GovernmentDecree",
         "mig:MinisterialOrder", "mig:Treaty", "mig:PolicyDocument", "mig:PolicyConcept",
         "mig:StateProgramme", "mig:InternationalInstrument", "mig:ActDraft", "mig:LegalAct"),
        (
            _id(), _type(required=True), *_labels(ru=True), *_altlabels(), *_definitions(),
            Field("title_en", "eli:title", "lang", lang="en", help="official title"),
            Field("title_ru", "eli:title", "lang", lang="ru"),
            Field("title_kk", "eli:title", "lang", lang="kk"),
            Field("id_local", "eli:id_local", "text", help="official code, e.g. Z1100000477"),
            Field("number", "eli:number", "text", help="the act's number, e.g. 477-IV"),
            Field("date_document", "eli:date_document", "date", help="date of adoption"),
            Field("first_date_entry_in_force", "eli:first_date_entry_in_force", "date"),
            Field("date_no_longer_in_force", "eli:date_no_longer_in_force", "date"),
            Field("passed_by", "eli:passed_by", "ref", multi=True, ref=("body",),
                  help="the body that issued it"),
            Field("validity_status", "mig:validityStatus", "choice", choices="status"),
            Field("approves", "mig:approves", "ref", multi=True, ref=("act",)),
            Field("endorses", "mig:endorses", "ref", multi=True, ref=("act",)),
            Field("succeeds_act", "mig:succeedsAct", "ref", multi=True, ref=("act",)),
            Field("has_agreement_with", "mig:hasAgreementWith", "ref", multi=True,
                  ref=("place",), help="treaty partner countries"),
            Field("see_also", "rdfs:seeAlso", "iri", multi=True,
                  help="official pages (adilet …)"),
            *_notes(), *_evidence(),
        ),
        title="laws, decrees, orders, concepts, programmes, treaties",
    ),
    Sheet(
        "articles", "article", "act",
        ("eli:LegalResourceSubdivision",),
        (
            _id(),
            Field("is_part_of", "eli:is_part_of", "ref", required=True, ref=_ACT_REF,
                  help="the act (or article) it is part of"),
            *_labels(ru=False, kk=True),
            Field("number", "eli:number", "text", help="e.g. 11.4-2"),
            *_notes(), *_evidence(),
        ),
        title="articles, sections and sub-paragraphs of acts (id: act-id/art-N)",
        slug_from=("is_part_of", "label_en"),
    ),
    Sheet(
        "functions", "function", "fn",
        ("mig:Function",),
        (
            _id(), *_labels(ru=True), *_altlabels(), *_definitions(),
            Field("broader", "skos:broader", "ref", multi=True, ref=("function",),
                  help="the wider function"),
            Field("function_kind", "mig:functionKind", "choice", multi=True,
                  choices="function-kind"),
            Field("concerns_category", "mig:concernsCategory", "ref", multi=True,
                  ref=("category",)),
            Field("concerns_system", "mig:concernsSystem", "ref", multi=True, ref=("system",)),
            Field("depends_on_system", "mig:dependsOnSystem", "ref", multi=True,
                  ref=("system",)),
            Field("delivers_service", "mig:deliversService", "ref", multi=True,
                  ref=("programme",)),
            Field("see_also", "rdfs:seeAlso", "iri", multi=True),
            *_notes(), *_evidence(),
        ),
        constants=(("skos:inScheme", "fn:scheme"),),
        title="functions (responsibilities)",
        preflabel=True,
    ),
    Sheet(
        "assignments", "assignment", "asg",
        ("mig:Assignment",),
        (
            _id(),
            Field("body", "mig:body", "ref", required=True, ref=("body",), help="who"),
            Field("function", "mig:function", "ref", required=True, ref=("function",),
                  help="what"),
            Field("role", "mig:role", "choice", required=True, choices="role", help="how"),
            Field("from", None, "period",
                  help="first day it holds; empty: the sources do not date the start"),
            Field("until", None, "period",
                  help="last day it holds (inclusive); empty: still holds"),
            Field("legal_basis", "mig:legalBasis", "ref", multi=True, ref=_ACT_REF,
                  help="the act or article that gives the function"),
            Field("legal_basis_status", "mig:legalBasisStatus", "choice",
                  choices="legal-basis-status"),
            Field("evidence_grade", "mig:evidenceGrade", "choice", required=True,
                  choices="grade", help="A or B needs an act in derived_from"),
            Field("derived_from", "prov:wasDerivedFrom", "ref", required=True, multi=True,
                  ref=("source", "act", "article"),
                  help="what the claim rests on; the grade follows from it"),
            Field("started_by", "mig:startedBy", "ref", ref=("event",)),
            Field("ended_by", "mig:endedBy", "ref", ref=("event",)),
            Field("succeeds", "mig:succeeds", "ref", ref=("assignment",)),
            *_labels(en=False, kk=False), *_notes(), *_evidence(),
        ),
        title="who holds which function, in which role, when, on what basis",
        slug_from=("body", "function", "role"),
    ),
    Sheet(
        "systems", "system", "sys",
        ("mig:InformationSystem",),
        (
            _id(), *_labels(ru=True), *_altlabels(), *_definitions(),
            Field("exchanges_data_with", "mig:exchangesDataWith", "ref", multi=True,
                  ref=("system",), help="data exchanges (symmetric)"),
            Field("see_also", "rdfs:seeAlso", "iri", multi=True),
            *_notes(), *_evidence(),
        ),
        title="information systems and databases, and the data they exchange",
    ),
    Sheet(
        "programmes", "programme", "prog",
        ("mig:PublicService", "mig:QuotaScheme", "mig:Benefit", "mig:Procedure",
         "mig:Operation"),
        (
            _id(), _type(required=True), *_labels(), *_altlabels(), *_definitions(),
            Field("concerns_category", "mig:concernsCategory", "ref", multi=True,
                  ref=("category",)),
            Field("for_category", "mig:forCategory", "ref", multi=True, ref=("category",)),
            Field("target_region", "mig:targetRegion", "ref", multi=True, ref=("place",)),
            Field("provided_under", "mig:providedUnder", "ref", ref=("act",)),
            Field("conducted_by", "mig:conductedBy", "ref", multi=True, ref=("body",)),
            Field("amount_mci", "mig:amountMCI", "decimal"),
            Field("amount_mci_min", "mig:amountMCIMin", "decimal"),
            Field("amount_mci_max", "mig:amountMCIMax", "decimal"),
            Field("payment_frequency", "mig:paymentFrequency", "text"),
            Field("payment_duration", "mig:paymentDuration", "duration"),
            Field("per_recipient", "mig:perRecipient", "text"),
            Field("legal_basis", "mig:legalBasis", "ref", multi=True, ref=_ACT_REF),
            Field("see_also", "rdfs:seeAlso", "iri", multi=True),
            *_notes(), *_evidence(),
        ),
        title="programmes, quota schemes, benefits, procedures, operations, public services",
    ),
    Sheet(
        "quotas", "programme", "prog",
        ("mig:Quota",),
        (
            _id(), *_labels(), *_altlabels(),
            Field("quota_scheme", "mig:quotaScheme", "ref", ref=("programme",)),
            Field("for_category", "mig:forCategory", "ref", multi=True, ref=("category",)),
            Field("quota_year", "mig:quotaYear", "year", required=True),
            Field("quota_size", "mig:quotaSize", "integer", required=True, help="persons"),
            Field("set_by", "mig:setBy", "ref", ref=_ACT_REF),
            Field("legal_basis", "mig:legalBasis", "ref", multi=True, ref=_ACT_REF),
            *_notes(), *_evidence(),
        ),
        title="quotas for a year",
    ),
    Sheet(
        "statistics", "statistic", "stat",
        ("qb:Observation",),
        (
            _id(),
            Field("dataset", "qb:dataSet", "ref", required=True, ref=("dataset",)),
            Field("ref_period", "mig:refPeriod", "year"),
            Field("ref_date", "mig:refDate", "date"),
            Field("ref_period_start", "mig:refPeriodStart", "year"),
            Field("ref_period_end", "mig:refPeriodEnd", "year"),
            Field("ref_area", "mig:refArea", "ref", ref=("place",)),
            Field("origin", "mig:origin", "ref", ref=("place",)),
            Field("destination", "mig:destination", "ref", ref=("place",)),
            Field("migrant_category", "mig:migrantCategory", "ref", ref=("category",)),
            Field("breakdown", "mig:breakdown", "text", help="row label, e.g. a motive"),
            Field("count", "mig:count", "integer"),
            Field("share", "mig:share", "decimal", help="percent"),
            Field("amount", "mig:amount", "decimal"),
            Field("unit", "mig:unit", "choice", required=True, choices="unit"),
            Field("comparator", "mig:comparator", "text", choices="comparator",
                  help="'>' for 'more than'"),
            Field("attributed_to", "prov:wasAttributedTo", "ref", multi=True,
                  ref=("body", "person", "source")),
            *_notes(), *_evidence(),
        ),
        title="figures (Data Cube observations of an existing data set; id: dataset/key)",
        slug_from=("dataset", "ref_period", "ref_date", "origin", "destination", "ref_area",
                   "breakdown"),
    ),
    Sheet(
        "sources", "source", "src",
        ("mig:SourceDocument", "mig:SourceSection"),
        (
            _id(), _type(required=True), *_labels(),
            Field("title_en", "dcterms:title", "lang", lang="en"),
            Field("title_ru", "dcterms:title", "lang", lang="ru"),
            Field("title_kk", "dcterms:title", "lang", lang="kk"),
            Field("creator", "dcterms:creator", "text"),
            Field("is_part_of", "dcterms:isPartOf", "ref", ref=("source",),
                  help="the document a section belongs to"),
            Field("see_also", "rdfs:seeAlso", "iri", multi=True, help="web address"),
            *_notes(),
            Field("source", "dcterms:source", "ref", multi=True, ref=("source",)),
        ),
        title="source documents, their sections and web pages",
    ),
    Sheet(
        "recommendations", "recommendation", "rec",
        ("mig:Recommendation", "mig:Proposal", "mig:Problem"),
        (
            _id(), _type(required=True), *_labels(), *_altlabels(), *_definitions(),
            Field("recommended_by", "mig:recommendedBy", "ref", multi=True,
                  ref=("body", "person")),
            Field("addressed_to", "mig:addressedTo", "ref", multi=True, ref=("body", "place")),
            Field("concerns", "mig:concerns", "ref", multi=True,
                  ref=("function", "act", "article", "system", "place", "body", "category",
                       "programme", "recommendation", "problem", "statistic", "dataset")),
            Field("concerns_category", "mig:concernsCategory", "ref", multi=True,
                  ref=("category",)),
            Field("proposes_body", "mig:proposesBody", "ref", multi=True, ref=("body",)),
            Field("implemented_by", "mig:implementedBy", "ref", multi=True,
                  ref=("body", "act"), help="empty: not implemented"),
            Field("cited_in", "mig:citedIn", "ref", multi=True, ref=("source",)),
            *_notes(), *_evidence(),
        ),
        title="problems, risks, recommendations and proposals",
    ),
)

_BY_NAME = {s.name: s for s in SHEETS}
# singular / kind names a user may type
_ALIASES = {
    "body": "bodies", "act": "acts", "article": "articles", "function": "functions",
    "assignment": "assignments", "system": "systems", "exchanges": "systems",
    "programme": "programmes", "quota": "quotas", "statistic": "statistics",
    "observations": "statistics", "source": "sources", "recommendation": "recommendations",
    "problems": "recommendations",
}


def get_sheet(name: str) -> Sheet:
    """A sheet by its name (``bodies``) or an alias (``body``, ``assignment``)."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in _BY_NAME:
        raise UsageError(f"unknown kind {name!r}; use one of {', '.join(_BY_NAME)}")
    return _BY_NAME[key]


_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia",
     "a", "g", "q", "n", "o", "u", "u", "h", "i"],
    strict=True,
))

_PART = r"[A-Za-z0-9]+(?:[-_.]+[A-Za-z0-9]+)*"
_SLUG_OK = re.compile(rf"^{_PART}(?:/{_PART})*$")


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by '-' (Cyrillic transliterated), at most ``limit`` long,
    cut at a word boundary."""
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit and slug:
            break
        slug = candidate[:limit]
    return slug


def valid_id(local: str) -> bool:
    """Is ``local`` a well-formed id (slug words, '/' for parts)?"""
    return bool(_SLUG_OK.match(local))


"""A synthetic legal corpus with the real ontology's shape, deterministic by seed.

    python -m bench.generate --triples 100000 -o /tmp/syn   # writes /tmp/syn/synthetic-001.ttl
    python -m bench.generate --triples 1m -o DIR            # synthetic-001.ttl … -008.ttl
    python -m bench.generate --triples 5000000 --allow-huge -o DIR

The corpus follows docs/model.md and passes ``migkg validate --only --data DIR`` (SHACL,
checks and OWL; tests/test_bench_generator.py): bodies and their units (``org:unitOf``),
acts (laws, government decrees, policy concepts with validity periods and successors,
treaties with partner countries) with articles (``eli:is_part_of``), functions with
labels in en/ru/kk and alternative labels, a broader function, kinds, categories,
systems and services; assignments of bodies to functions with roles, dated or undated
(``mig:UnknownInstant``) periods, legal basis or ``mig:NotStatedInSources``,
``prov:wasDerivedFrom`` and an evidence grade consistent with
``queries/checks/evidence-grade-violation.rq``; reorganisations (``mig:endedBy`` /
``mig:startedBy`` / ``mig:succeeds``); information systems exchanging data; migrant
categories; quota schemes and quotas; statistics as ``qb:Observation``; recommendations
and problems; sources. Every gap kind of ``queries/gaps/`` has findings.

It is written as Turtle one cluster (a ministry with its units, acts, functions,
assignments, statistics…) at a time, so memory stays flat at any size; the cluster count
is whatever reaches the requested number of triples. The clusters are spread over files of
about ``PER_FILE`` triples each (``--files N`` to choose), like data/ (one file per topic),
so that ``migkg build`` loads them side by side.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable
from pathlib import Path

from kg.namespaces import turtle_prologue

__all__ = ["PER_FILE", "SIZES", "corpus_files", "file_count", "generate", "main", "search_text"]

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}
HUGE = 2_000_000
PER_FILE = 125_000  # triples per file (about 6 MB of Turtle)
_STEM = "synthetic"


PREFIXES = turtle_prologue()

# (en, ru, kk) vocabularies the labels are made of
ACTIONS = (
    ("issuance of", "выдача", "беру"),
    ("registration of", "регистрация", "тіркеу"),
    ("control over", "контроль за", "бақылау"),
    ("coordination of", "координация", "үйлестіру"),
    ("monitoring of", "мониторинг", "мониторинг"),
    ("regulation of", "регулирование", "реттеу"),
    ("support for", "поддержка", "қолдау"),
    ("accounting of", "учёт", "есепке алу"),
    ("protection of", "защита", "қорғау"),
    ("planning of", "планирование", "жоспарлау"),
    ("analysis of", "анализ", "талдау"),
    ("licensing of", "лицензирование", "лицензиялау"),
)
OBJECTS = (
    ("work permits", "разрешений на работу", "жұмысқа рұқсат"),
    ("refugee status", "статуса беженца", "босқын мәртебесі"),
    ("entry visas", "въездных виз", "кіру визалары"),
    ("labour immigrants", "трудовых иммигрантов", "еңбек иммигранттары"),
    ("qandas resettlement", "переселения кандасов", "қандастарды қоныстандыру"),
    ("border crossing", "пересечения границы", "шекарадан өту"),
    ("foreign students", "иностранных студентов", "шетелдік студенттер"),
    ("residence permits", "видов на жительство", "тұруға ықтималдық"),
    ("deportation decisions", "решений о выдворении", "шығарып жіберу шешімдері"),
    ("migration statistics", "миграционной статистики", "көші-қон статистикасы"),
    ("adaptation and integration", "адаптации и интеграции", "бейімдеу және интеграциялау"),
    ("employment of foreigners", "трудоустройства иностранцев",
     "шетелдіктерді жұмысқа орналастыру"),
    ("irregular migration", "нелегальной миграции", "заңсыз көші-қон"),
    ("citizenship applications", "заявлений о гражданстве", "азаматтық өтініштері"),
    ("remittances", "денежных переводов", "ақша аударымдары"),
    ("seasonal workers", "сезонных работников", "маусымдық жұмысшылар"),
    ("stateless persons", "лиц без гражданства", "азаматтығы жоқ адамдар"),
    ("business immigrants", "бизнес-иммигрантов", "бизнес-иммигранттар"),
    ("family reunification", "воссоединения семей", "отбасын біріктіру"),
    ("temporary residence", "временного проживания", "уақытша тұру"),
    ("interstate agreements", "межгосударственных соглашений", "мемлекетаралық келісімдер"),
    ("labour quotas", "трудовых квот", "еңбек квоталары"),
    ("migrant databases", "миграционных баз данных", "көші-қон дерекқорлары"),
    ("academic mobility", "академической мобильности", "академиялық ұтқырлық"),
)
_SYL = ("ka", "ra", "tau", "zhan", "ak", "su", "bel", "ar", "ky", "zyl", "to", "be", "al",
        "ma", "ty", "shy", "myr", "kol", "sar", "uz", "ten", "bas", "or", "ken")
_RU = {"ka": "ка", "ra": "ра", "tau": "тау", "zhan": "жан", "ak": "ак", "su": "су",
       "bel": "бел", "ar": "ар", "ky": "кы", "zyl": "зыл", "to": "то", "be": "бе", "al": "ал",
       "ma": "ма", "ty": "ты", "shy": "шы", "myr": "мыр", "kol": "коль", "sar": "сар",
       "uz": "уз", "ten": "тен", "bas": "бас", "or": "ор", "ken": "кен"}
_KINDS_SERVING = ("service", "protection", "status-determination", "permit")
_KINDS_OTHER = ("policy", "coordination", "regulation", "enforcement", "data", "international")
_SECTIONS = 12
_CATEGORIES = 24  # at 10k triples; one more per 20k triples
_COUNTRIES = 20
_REGIONS = 30
_CITIES = 8


def _name(rnd: random.Random, parts: int = 3) -> tuple[str, str]:
    syl = [rnd.choice(_SYL) for _ in range(parts)]
    return "".join(syl).capitalize(), "".join(_RU[s] for s in syl).capitalize()


def search_text() -> str:
    """A text the benchmark's ``who`` looks up (matches many functions at every size)."""
    return "work permits"


class _Writer:
    """Turtle statements to a file, counting triples."""

    def __init__(self, handle) -> None:
        self.handle = handle  # may be switched to the next file after a flush
        self.triples = 0
        self._buf: list[str] = []

    def node(self, subject: str, *pairs: tuple[str, str | Iterable[str]]) -> None:
        parts = []
        for pred, obj in pairs:
            if obj is None:
                continue
            objs = [obj] if isinstance(obj, str) else list(obj)
            if not objs:
                continue
            self.triples += len(objs)
            parts.append(f"{pred} {' , '.join(objs)}")
        self._buf.append(f"{subject} " + " ;\n    ".join(parts) + " .\n")
        if len(self._buf) >= 2000:
            self.flush()

    def flush(self) -> None:
        self.handle.write("".join(self._buf))
        self._buf.clear()


def _lit(text: str, lang: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _date(day: str) -> str:
    return f'"{day}"^^xsd:date'


def _labels(en: str, ru: str, kk: str | None = None) -> list[str]:
    out = [_lit(en, "en"), _lit(ru, "ru")]
    if kk:
        out.append(_lit(kk, "kk"))
    return out


class _Corpus:
    def __init__(self, w: _Writer, rnd: random.Random, triples: int) -> None:
        self.n_categories = _CATEGORIES + triples // 20_000
        self.w = w
        self.rnd = rnd
        self.instants: set[str] = set()
        self.regions: list[str] = []
        self.countries: list[str] = []
        self.cities: list[str] = []
        self.categories: list[str] = []
        self.prev_systems: list[str] = []
        self.prev_ministry: str | None = None
        self.prev_concept: tuple[str, int] | None = None
        self.cluster = 0

    def src(self) -> str:
        return f"src:syn-doc\\/s{self.rnd.randrange(_SECTIONS)}"

    def instant(self, day: str) -> str:
        iri = f"period:syn-{day}"
        if iri not in self.instants:
            self.instants.add(iri)
            self.w.node(iri, ("a", "time:Instant"), ("time:inXSDDate", _date(day)))
        return iri

    def interval(self, iri: str, start: str | None, end: str | None, comment: bool) -> None:
        if start is None:
            unknown = iri.replace("period:syn-", "period:syn-unknown-start-", 1)
            self.w.node(unknown, ("a", "mig:UnknownInstant"),
                        ("rdfs:comment", _lit("Start not given in the synthetic sources.", "en")))
            begin = unknown
        else:
            begin = self.instant(start)
        self.w.node(iri, ("a", "time:Interval"), ("time:hasBeginning", begin),
                    ("time:hasEnd", self.instant(end) if end else None),
                    ("rdfs:comment", _lit("Synthetic period.", "en") if comment else None))

    # --- the parts every cluster shares -------------------------------------------------
    def globals(self) -> None:
        w, rnd = self.w, self.rnd
        # the ontology's own sources (as in data/sources.ttl: the same triples)
        w.node("src:mussina-paper", ("a", "mig:SourceDocument"),
               ("rdfs:label", _labels(
                   "Mussina et al., Major issues of organizational and economic mechanisms "
                   "of migration regulation in Kazakhstan",
                   "Мусина и др., Актуальные вопросы организационно-экономических механизмов "
                   "миграционного регулирования в Казахстане")),
               ("dcterms:source", "src:mussina-paper"))
        w.node("src:legal-acts-reference", ("a", "mig:SourceDocument"),
               ("rdfs:label", _labels(
                   "migkg reference table of legal and policy acts and bodies named in the "
                   "source paper (legal-acts.md)",
                   "Справочная таблица migkg: правовые и программные акты и органы, "
                   "названные в статье (legal-acts.md)")),
               ("dcterms:source", "src:legal-acts-reference"))
        w.node("src:syn-doc", ("a", "mig:SourceDocument"),
               ("rdfs:label", _labels("Synthetic benchmark corpus", "Синтетический корпус")),
               ("dcterms:source", "src:syn-doc"))
        for i in range(_SECTIONS):
            w.node(f"src:syn-doc\\/s{i}", ("a", "mig:SourceSection"),
                   ("dcterms:isPartOf", "src:syn-doc"),
                   ("rdfs:label", _labels(f"Synthetic corpus, section {i}",
                                          f"Синтетический корпус, раздел {i}")),
                   ("dcterms:source", "src:syn-doc"))
        for scheme, en, ru in (("fn:syn-scheme", "Synthetic functions", "Синтетические функции"),
                               ("cat:syn-scheme", "Synthetic categories",
                                "Синтетические категории")):
            w.node(scheme, ("a", "skos:ConceptScheme"), ("rdfs:label", _labels(en, ru)),
                   ("dcterms:source", "src:syn-doc"))
        w.node("body:syn-government", ("a", "mig:Government"),
               ("rdfs:label", _labels("Synthetic Government", "Синтетическое правительство",
                                      "Синтетикалық үкімет")),
               ("dcterms:source", self.src()))
        w.node("body:syn-parliament", ("a", "mig:StateBody"),
               ("rdfs:label", _labels("Synthetic Parliament", "Синтетический парламент")),
               ("dcterms:source", self.src()))
        w.node("place:syn-home", ("a", "mig:Country"),
               ("rdfs:label", _labels("Syntheland", "Синтеландия")), ("dcterms:source", self.src()))
        for i in range(_COUNTRIES):
            en, ru = _name(rnd)
            iri = f"place:syn-country-{i}"
            self.countries.append(iri)
            w.node(iri, ("a", "mig:Country"), ("rdfs:label", _labels(en, ru)),
                   ("skos:altLabel", _lit(f"Republic of {en}", "en")),
                   ("dcterms:source", self.src()))
        for i in range(_REGIONS):
            en, ru = _name(rnd)
            iri = f"place:syn-region-{i}"
            self.regions.append(iri)
            w.node(iri, ("a", "mig:Region"),
                   ("rdfs:label", _labels(f"{en} region", f"{ru}ская область")),
                   ("dcterms:source", self.src()))
        for i in range(_CITIES):
            en, ru = _name(rnd, 2)
            iri = f"place:syn-city-{i}"
            self.cities.append(iri)
            w.node(iri, ("a", "mig:City"), ("rdfs:label", _labels(en, ru)),
                   ("dcterms:source", self.src()))
        w.node("place:syn-home",
               ("mig:labourInflowFrom", self.countries[: _COUNTRIES // 2]),
               ("mig:labourOutflowTo", self.countries[_COUNTRIES // 2 :]))
        for i in range(self.n_categories):
            obj = OBJECTS[i % len(OBJECTS)]
            iri = f"cat:syn-{i}"
            self.categories.append(iri)
            broader = f"cat:syn-{i % 4}" if i >= 4 else None
            w.node(iri, ("a", "mig:MigrantCategory"), ("skos:inScheme", "cat:syn-scheme"),
                   ("rdfs:label", _labels(f"persons concerned by {obj[0]} (group {i})",
                                          f"лица, затронутые: {obj[1]} (группа {i})",
                                          f"{obj[2]} (топ {i})")),
                   ("skos:altLabel", _lit(f"category {i}", "en")),
                   ("skos:broader", broader), ("dcterms:source", self.src()))
        w.node("stat:syn-dsd", ("a", "qb:DataStructureDefinition"),
               ("rdfs:label", _labels("structure: synthetic migrant statistics",
                                      "структура: синтетическая статистика мигрантов")),
               ("qb:component", [f"mig:component-{p}" for p in (
                   "refPeriod", "origin", "destination", "migrantCategory", "count", "share",
                   "unit", "source")]),
               ("dcterms:source", "src:syn-doc"))
        # treaties with half of the partner countries (the others are gaps)
        for i, country in enumerate(self.countries[::2]):
            iri = f"act:syn-treaty-{i}"
            w.node(iri, ("a", "mig:Treaty"),
                   ("rdfs:label", _labels(f"Agreement on labour migration No. {i}",
                                          f"Соглашение о трудовой миграции № {i}")),
                   ("mig:hasAgreementWith", country),
                   ("eli:first_date_entry_in_force", _date(f"{2005 + i}-01-01")),
                   ("dcterms:source", self.src()))

    # --- one cluster: a ministry and what it governs ------------------------------------
    def cluster_(self) -> None:
        w, rnd = self.w, self.rnd
        c = self.cluster
        self.cluster += 1
        en, ru = _name(rnd, 2)
        ministry = f"body:syn-c{c}"
        w.node(ministry, ("a", "mig:Ministry"),
               ("rdfs:label", _labels(f"Ministry of {en} Affairs", f"Министерство по делам {ru}",
                                      f"{en} істері министрлігі")),
               ("skos:altLabel", [_lit(f"M{en[:3].upper()}", "en"),
                                  _lit(f"М{ru[:3].upper()}", "ru")]),
               ("dcterms:source", self.src()))
        units = []
        for j in range(3):
            unit = f"body:syn-c{c}-u{j}"
            units.append(unit)
            obj = OBJECTS[(c + j) % len(OBJECTS)]
            w.node(unit, ("a", "mig:DepartmentalCommittee"),
                   ("rdfs:label", _labels(f"Committee for {obj[0]} of the Ministry of {en} Affairs",
                                          f"Комитет {obj[1]} Министерства по делам {ru}")),
                   ("org:unitOf", ministry), ("dcterms:source", self.src()))
        # acts with articles
        law, decree = f"act:syn-c{c}-law", f"act:syn-c{c}-decree"
        year = 2000 + c % 22
        w.node(law, ("a", "mig:Law"),
               ("rdfs:label", _labels(f"Law No. {c}-IV on {en} affairs",
                                      f"Закон № {c}-IV о делах {ru}",
                                      f"{en} істері туралы № {c}-IV Заң")),
               ("eli:title", _lit(f"On {en} affairs", "en")),
               ("eli:passed_by", "body:syn-parliament"),
               ("eli:date_document", _date(f"{year}-07-22")), ("eli:id_local", f'"Z{c:07d}"'),
               ("mig:validityStatus", "mig:InForce"), ("dcterms:source", self.src()))
        w.node(decree, ("a", "mig:GovernmentDecree"),
               ("rdfs:label", _labels(f"Government Decree No. {c} on {en} affairs",
                                      f"Постановление Правительства № {c} о делах {ru}")),
               ("eli:passed_by", "body:syn-government"),
               ("eli:date_document", _date(f"{year + 1}-03-01")), ("dcterms:source", self.src()))
        law_arts, decree_arts = [], []
        for act, arts, word, ruword in ((law, law_arts, "Law", "Закон"),
                                        (decree, decree_arts, "Decree", "Постановление")):
            for k in range(1, 7):
                art = f"<{_expand(act)}/art-{k}>"
                arts.append(art)
                w.node(art, ("a", "eli:LegalResourceSubdivision"), ("eli:is_part_of", act),
                       ("rdfs:label", _labels(f"{word} No. {c}, Article {k}",
                                              f"{ruword} № {c}, статья {k}")),
                       ("eli:number", f'"{k}"'), ("dcterms:source", self.src()))
        concept = None
        if c % 10 == 0:  # a policy concept, valid 4 years, succeeding the previous one
            concept = f"act:syn-concept-{c}"
            start = 1995 + (c // 10) % 30
            vf = f"period:syn-valid-concept-{c}"
            self.interval(vf, f"{start}-01-01", f"{start + 3}-12-31", comment=False)
            w.node(concept, ("a", "mig:PolicyConcept"),
                   ("rdfs:label", _labels(f"Concept of migration policy No. {c // 10}",
                                          f"Концепция миграционной политики № {c // 10}")),
                   ("mig:validFor", vf),
                   ("mig:succeedsAct", self.prev_concept[0] if self.prev_concept else None),
                   ("dcterms:source", self.src()))
            self.prev_concept = (concept, start)
        # systems exchanging data
        systems = []
        for k in range(2):
            s = f"sys:syn-c{c}-s{k}"
            systems.append(s)
            sen, sru = _name(rnd, 2)
            w.node(s, ("a", "mig:InformationSystem"),
                   ("rdfs:label", _labels(f"Information system \"{sen}\"", f"ИС «{sru}»")),
                   ("skos:altLabel", [_lit(sen, "en"), _lit(sru, "ru")]),
                   ("mig:exchangesDataWith", self.prev_systems[k] if self.prev_systems and k == 0
                    else None),
                   ("dcterms:source", self.src()))
        self.prev_systems = systems
        # public services
        services = []
        for k in range(2):
            svc = f"prog:syn-c{c}-svc{k}"
            services.append(svc)
            obj = OBJECTS[rnd.randrange(len(OBJECTS))]
            w.node(svc, ("a", "mig:PublicService"),
                   ("rdfs:label", _labels(f"public service: {obj[0]} ({en} {k})",
                                          f"государственная услуга: {obj[1]} ({ru} {k})")),
                   ("mig:concernsCategory", rnd.choice(self.categories[:-4])),
                   ("dcterms:source", self.src()))
        # a quota scheme in every 4th cluster, for a category of its own (as the qandas quota
        # is for qandas): the settlement shares of one scheme do not join with the others'
        quota = c % 4 == 0
        scheme_cat = f"cat:syn-c{c}-resettlers" if quota else None
        if scheme_cat:
            w.node(scheme_cat, ("a", "mig:MigrantCategory"), ("skos:inScheme", "cat:syn-scheme"),
                   ("rdfs:label", _labels(f"resettlers of the {en} quota",
                                          f"переселенцы по квоте {ru}")),
                   ("skos:broader", self.categories[0]), ("dcterms:source", self.src()))
        # functions
        functions = []
        region = rnd.choice(self.regions)
        reg_en, reg_ru = _name(rnd)
        for i in range(12):
            f = f"fn:syn-c{c}-f{i}"
            functions.append(f)
            act_ = ACTIONS[rnd.randrange(len(ACTIONS))]
            obj = OBJECTS[rnd.randrange(len(OBJECTS))]
            serving = i % 3 == 0
            kind = rnd.choice(_KINDS_SERVING if serving else _KINDS_OTHER)
            # the last four categories are never served: category-unserved findings
            category = (rnd.choice(self.categories[-4:]) if not serving and i == 5
                        else rnd.choice(self.categories[:-4]))
            w.node(f, ("a", "mig:Function"), ("skos:inScheme", "fn:syn-scheme"),
                   ("rdfs:label", _labels(f"{act_[0]} {obj[0]} in {reg_en}",
                                          f"{act_[1]} {obj[1]} в {reg_ru}",
                                          f"{reg_en} {obj[2]} {act_[2]}")),
                   ("skos:prefLabel", _lit(f"{act_[0]} {obj[0]} in {reg_en}", "en")),
                   ("skos:altLabel", [_lit(f"{obj[0]} {reg_en} {c}-{i}", "en"),
                                      _lit(f"{obj[1]} {reg_ru}", "ru")]),
                   ("mig:functionKind", f"kind:{kind}"),
                   ("mig:concernsCategory", [category, scheme_cat] if scheme_cat and i == 0
                    else category),
                   ("skos:broader", functions[0] if i in (1, 2) else None),
                   ("mig:dependsOnSystem", rnd.choice(self.prev_systems) if i % 4 == 1 else None),
                   ("mig:concernsSystem", systems[i % 2] if i % 6 == 3 else None),
                   ("mig:deliversService", services[i % 2] if i % 6 == 0 else None),
                   ("dcterms:source", self.src()))
        # assignments
        other = self.prev_ministry
        event = f"event:syn-transfer-c{c}" if c % 3 == 0 and other else None
        moved: list[str] = []
        for i, f in enumerate(functions):
            holders: list[tuple[str, str]] = []
            if i % 7 != 4:  # every 7th function has no lead (no-lead findings)
                holders.append((ministry if i % 2 else units[i % 3], "lead"))
            holders.append((units[(i + 1) % 3], "co-executor"))
            if i % 4 == 0:
                holders.append((units[(i + 2) % 3], "data-provider"))
            if i % 5 == 0:
                holders.append((ministry, "coordinator"))
            if i == 7 and other:  # a second lead from another ministry: several-leads
                holders.append((other, "lead"))
            if i % 6 == 3:
                holders.append((units[0], "operator"))
            for body, role in holders:
                self.assignment(c, body, f, role, region, law_arts, decree_arts, concept)
            if event and i in (2, 8, 10):
                moved.append(f)
        if event:
            w.node(event, ("a", "mig:TransferOfFunctions"),
                   ("rdfs:label", _labels(f"Transfer of functions to the Ministry of {en} Affairs",
                                          f"Передача функций Министерству по делам {ru}")),
                   ("mig:effectiveDate", _date("2022-01-01")), ("mig:legalBasis", decree),
                   ("org:originalOrganization", other), ("org:resultingOrganization", ministry),
                   ("mig:transfersFunction", moved), ("dcterms:source", self.src()))
            for n, f in enumerate(moved):
                old = self.assignment(c, other, f, "implementer", region, law_arts, decree_arts,
                                      None, period=(None, "2021-12-31"), ended_by=event)
                if n < 2:  # the last one is lost in the reorganisation
                    self.assignment(c, ministry, f, "implementer", region, law_arts,
                                    decree_arts, None, period=("2022-01-01", None),
                                    started_by=event, succeeds=old)
        # statistics
        ds = f"stat:syn-c{c}"
        w.node(ds, ("a", "qb:DataSet"),
               ("rdfs:label", _labels(f"Migrants settled by region, cluster {c}",
                                      f"Мигранты по регионам, кластер {c}")),
               ("qb:structure", "stat:syn-dsd"), ("dcterms:source", self.src()))
        for k in range(14):
            obs = f"stat:syn-c{c}\\/o{k}"
            share = quota and k % 3 == 0  # where the scheme's category settles
            country = rnd.choice(self.countries)
            area = rnd.choice(self.regions + self.cities)
            w.node(obs, ("a", "qb:Observation"), ("qb:dataSet", ds),
                   ("mig:refPeriod", f'"{2010 + k % 12}"^^xsd:gYear'),
                   ("mig:destination", area), ("mig:origin", country if not share else None),
                   ("mig:migrantCategory", scheme_cat if share else rnd.choice(self.categories)),
                   ("mig:share" if share else "mig:count",
                    f'"{rnd.randrange(1, 400) / 10:.1f}"^^xsd:decimal' if share
                    else str(rnd.randrange(10, 50_000))),
                   ("mig:unit", "unit:percent" if share else "unit:persons"),
                   ("dcterms:source", self.src()),
                   ("mig:quote", _lit(f"Observation {k} of cluster {c}.", "en")))
        if quota:
            self.quota(c, en, ru, year, scheme_cat, decree)
        self.problems(c, functions, units, ministry)
        self.prev_ministry = ministry

    def quota(self, c, en, ru, year, scheme_cat, decree) -> None:  # noqa: PLR0917
        w, rnd = self.w, self.rnd
        qs = f"prog:syn-c{c}-quota-scheme"
        w.node(qs, ("a", "mig:QuotaScheme"),
               ("rdfs:label", _labels(f"regional quota of the Ministry of {en} Affairs",
                                      f"региональная квота Министерства по делам {ru}")),
               ("mig:forCategory", scheme_cat),
               ("mig:targetRegion", rnd.sample(self.regions, 3)), ("dcterms:source", self.src()))
        w.node(f"prog:syn-c{c}-quota", ("a", "mig:Quota"),
               ("rdfs:label", _labels(f"quota {year} of the Ministry of {en} Affairs",
                                      f"квота {year} Министерства по делам {ru}")),
               ("mig:quotaScheme", qs), ("mig:forCategory", scheme_cat),
               ("mig:quotaYear", f'"{year}"^^xsd:gYear'),
               ("mig:quotaSize", str(rnd.randrange(100, 3000))), ("mig:setBy", decree),
               ("mig:legalBasis", decree), ("dcterms:source", self.src()))

    def problems(self, c, functions, units, ministry) -> None:
        """A problem and two recommendations (one implemented)."""
        w = self.w
        problem = f"rec:syn-c{c}-problem"
        w.node(problem, ("a", "mig:Problem"),
               ("rdfs:label", _labels(f"fragmented responsibility for {OBJECTS[c % 24][0]}",
                                      f"раздробленная ответственность: {OBJECTS[c % 24][1]}")),
               ("mig:concerns", functions[0]), ("mig:citedIn", "src:syn-doc"),
               ("dcterms:source", self.src()))
        for k in range(2):
            r = f"rec:syn-c{c}-r{k}"
            w.node(r, ("a", "mig:Recommendation"),
                   ("rdfs:label", _labels(f"Improve {OBJECTS[(c + k) % 24][0]} ({c}-{k})",
                                          f"Улучшить: {OBJECTS[(c + k) % 24][1]} ({c}-{k})")),
                   ("mig:recommendedBy", units[k]), ("mig:addressedTo", "body:syn-government"),
                   ("mig:concerns", [functions[k + 3], problem]),
                   ("mig:implementedBy", ministry if k == 0 else None),
                   ("mig:citedIn", "src:syn-doc"), ("mig:evidenceGrade", "grade:D"),
                   ("prov:wasDerivedFrom", self.src()), ("dcterms:source", self.src()))

    def assignment(self, c, body, f, role, region, law_arts, decree_arts, concept, *,  # noqa: PLR0917
                   period=None, ended_by=None, started_by=None, succeeds=None) -> str:
        w, rnd = self.w, self.rnd
        slug = f"{body.split(':', 1)[1]}--{f.split(':', 1)[1]}--{role}"
        iri = f"asg:{slug}"
        if period is None:
            start = None if rnd.random() < 0.4 else f"{2005 + rnd.randrange(15)}-01-01"
            end = f"{2023 + rnd.randrange(3)}-12-31" if rnd.random() < 0.2 else None
        else:
            start, end = period
        p = f"period:syn-{slug}"
        self.interval(p, start, end, comment=False)
        roll = rnd.random()
        note = None
        if roll < 0.25:
            grade, basis = "A", rnd.choice(law_arts)
            derived = [basis, self.src()]
        elif roll < 0.45:
            grade, basis = "B", rnd.choice(decree_arts)
            derived = [basis]
        elif roll < 0.55 and concept:
            grade, basis, derived = "C", concept, [concept]
        elif roll < 0.9:
            grade, basis, derived = "D", None, [self.src()]
        else:
            grade, basis, derived = "E", None, [self.src()]
            note = _lit("Analyst inference from the synthetic sources.", "en")
        w.node(iri, ("a", "mig:Assignment"),
               ("rdfs:label", _lit(f"{body} — {f} ({role})", "en")),
               ("mig:body", body), ("mig:function", f), ("mig:role", f"role:{role}"),
               ("mig:period", p),
               ("mig:legalBasis", basis),
               ("mig:legalBasisStatus", "mig:NotStatedInSources" if basis is None else None),
               ("prov:wasDerivedFrom", derived), ("mig:evidenceGrade", f"grade:{grade}"),
               ("skos:note", note),
               ("mig:endedBy", ended_by), ("mig:startedBy", started_by),
               ("mig:succeeds", succeeds),
               ("mig:quote", _lit(f"The body {role}s function {f} in cluster {c}.", "en")),
               ("dcterms:source", self.src()))
        return iri


_NS = {"act": "https://w3id.org/migkg/id/act/"}


def _expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return _NS[prefix] + local


def file_count(triples: int) -> int:
    """How many files a corpus of ``triples`` triples is written as: one per ~``PER_FILE``.

    Several files let a build load them side by side (one thread per file; Oxigraph's bulk
    loader indexes one file's triples in one thread), as data/ is one file per topic.
    """
    return max(1, round(triples / PER_FILE))


def corpus_files(folder: Path | str) -> list[Path]:
    """The corpus files :func:`generate` wrote into ``folder``, in order."""
    return sorted(Path(folder).glob(f"{_STEM}-[0-9][0-9][0-9].ttl"))


def generate(folder: Path | str, triples: int, seed: int = 42, *,
             files: int | None = None) -> int:
    """Write a corpus of about ``triples`` triples (at least that many) into ``folder`` as
    ``synthetic-001.ttl`` … (``files`` of them, default :func:`file_count`, of about equal
    size, split between clusters); return the exact count. The same (triples, seed, files)
    always writes the same bytes. The files appear together at the end, replacing any corpus
    written there before (``synthetic.ttl`` or parts), so the folder never mixes two."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    count = files if files is not None else file_count(triples)
    if count < 1 or count > 999:
        raise ValueError(f"files must be 1 to 999, not {count}")
    names = [f"{_STEM}-{i:03d}.ttl" for i in range(1, count + 1)]
    tmps = [folder / f".{name}.tmp" for name in names]
    w = _Writer(None)
    corpus = _Corpus(w, random.Random(seed), triples)
    try:
        for i, tmp in enumerate(tmps):
            with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
                handle.write(f"# migkg synthetic benchmark corpus: target {triples} triples, "
                             f"seed {seed}, file {i + 1} of {count}\n")
                handle.write(PREFIXES)
                w.handle = handle
                if i == 0:
                    corpus.globals()
                # this file ends at the first cluster boundary past its share (the last one
                # at the target); a file may hold no cluster only when the target is tiny
                goal = triples if i == count - 1 else triples * (i + 1) // count
                while w.triples < goal:
                    corpus.cluster_()
                w.flush()
        for old in [folder / f"{_STEM}.ttl", *corpus_files(folder)]:
            if old.name not in names:
                old.unlink(missing_ok=True)
        for tmp, name in zip(tmps, names, strict=True):
            tmp.replace(folder / name)
    finally:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
    return w.triples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--triples", default="10k",
                        help=f"a number or one of {', '.join(SIZES)} (default 10k)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="folder to write synthetic-001.ttl … into")
    parser.add_argument("--files", type=int, metavar="N",
                        help=f"number of files (default: one per {PER_FILE:,} triples)")
    parser.add_argument("--allow-huge", action="store_true",
                        help=f"allow more than {HUGE:,} triples (the 5M size)")
    args = parser.parse_args(argv)
    target = SIZES.get(str(args.triples).lower()) or int(args.triples)
    if target > HUGE and not args.allow_huge:
        parser.error(f"{target:,} triples needs --allow-huge")
    out = Path(args.output)
    try:
        count = generate(out, target, args.seed, files=args.files)
    except ValueError as err:  # the file count, checked once, in generate()
        parser.error(str(err))
    written = corpus_files(out)
    where = (str(written[0]) if len(written) == 1
             else f"{len(written)} files {out / written[0].name} … {written[-1].name}")
    print(f"wrote {count} triples to {where}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

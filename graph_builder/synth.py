"""Synthetic facts for benchmarks and scale tests: ``customs-kg synth``.

:func:`generate` writes a facts folder in the project's own curated format
(``docs/data-model.md``): ``vocab/roles.yaml`` (copied from the bundled
facts), ``entities/*.yaml``, ``sources/*.yaml`` and ``texts/*.txt``. Every
quote is a sentence of the generated article text, so the folder loads,
builds and validates like hand-curated facts.

The shape imitates the real domain: intergovernmental organizations with
councils, committees, a secretariat, departments and RILOs; a national
customs administration (with an enforcement department) for each of ~180
countries (real ISO 3166-1 codes); annual numbered meetings of each council
and committee with dates of mixed precision, places or online attendance,
participants, chairs, hosts and speakers; chair and vice-chair elections with
their two-year terms; heads of departments with terms at year, month or day
precision, some open-ended, some undated but attested; operations with
seized quantities (exact, "over", "up to"; KGM, TNE, C62); aliases in
English, Russian and French; and a second article (the host's press release)
for some meetings, so that facts rest on several sources. A few articles
miscount the delegations they list, and some press releases name the
meeting differently from its report, so the graph holds the contradictions
``customs-kg check`` and the ``contradictions`` query report.

The size is set by a target number of triples of the built graph; the counts
are scaled linearly from a calibration measured on 10k and 100k triples
(the built graph lands within ±20 % of the target). The same seed always
gives byte-identical files. ``synth-manifest.json`` at the top of the folder
lists parameter values that exist in the data (for benchmarks).
"""

from __future__ import annotations

import json
import math
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph_builder.errors import UsageError
from graph_builder.loading.facts import ISO_3166_ALPHA2
from graph_builder.loading.schema import KINDS, Written
from graph_builder.paths import default_facts_dir

MANIFEST = "synth-manifest.json"
FIRST_YEAR, LAST_YEAR = 1985, 2024
CHUNK = 1000  # entities per entities file (the loader reads files up to 2 MiB)

# Calibration: built triples ~= FIXED + PER_MEETING * meetings (measured with
# `python bench/run.py --calibrate`; see bench/README.md).
FIXED_TRIPLES = 4300
PER_MEETING_TRIPLES = 450

FIRST = [("Ivan", "Иван"), ("Anna", "Анна"), ("Pierre", "Пьер"), ("Maria", "Мария"), ("John", "Джон"),
         ("Elena", "Елена"), ("Ahmed", "Ахмед"), ("Li", "Ли"), ("Carlos", "Карлос"), ("Olga", "Ольга"),
         ("Kenji", "Кэндзи"), ("Fatima", "Фатима"), ("Sergei", "Сергей"), ("Laura", "Лаура"),
         ("Ricardo", "Рикардо"), ("Amina", "Амина"), ("David", "Давид"), ("Irina", "Ирина"),
         ("Tomas", "Томас"), ("Nadia", "Надя")]
LAST = [("Petrov", "Петров"), ("Dubois", "Дюбуа"), ("Smith", "Смит"), ("Garcia", "Гарсия"),
        ("Kowalski", "Ковальский"), ("Tanaka", "Танака"), ("Haddad", "Хаддад"), ("Ivanova", "Иванова"),
        ("Silva", "Силва"), ("Novak", "Новак"), ("Okafor", "Окафор"), ("Larsen", "Ларсен"),
        ("Rossi", "Росси"), ("Schmidt", "Шмидт"), ("Chen", "Чэнь"), ("Moreau", "Моро"),
        ("Kuznetsov", "Кузнецов"), ("Mendes", "Мендес"), ("Yilmaz", "Йылмаз"), ("Bakker", "Баккер")]
GOODS = [("cocaine", "KGM"), ("heroin", "KGM"), ("cigarettes", "C62"), ("counterfeit goods", "C62"),
         ("ivory", "KGM"), ("timber", "TNE"), ("hazardous waste", "TNE"), ("cannabis", "KGM"),
         ("firearms", "C62"), ("precursor chemicals", "TNE")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
ORDINAL = {1: "st", 2: "nd", 3: "rd"}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else ORDINAL.get(n % 10, "th")
    return f"{n}{suffix}"


def q(text: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qlist(items: list[str]) -> str:
    """A flow sequence of quoted scalars."""
    return "[" + ", ".join(q(i) for i in items) + "]"


def klist(items: list[str]) -> str:
    """A flow sequence of keys (plain scalars)."""
    return "[" + ", ".join(items) + "]"


@dataclass(frozen=True)
class Plan:
    """The counts a target size turns into."""

    countries: int
    igos: int
    series_per_igo: int
    meetings_per_series: int
    rilos_per_igo: int
    departments_per_igo: int

    @property
    def series(self) -> int:
        return self.igos * self.series_per_igo

    @property
    def meetings(self) -> int:
        return self.series * self.meetings_per_series


def plan_for(triples: int) -> Plan:
    """The counts for a target number of built triples."""
    if triples < 1000:
        raise UsageError("the target must be at least 1000 triples")
    return plan_for_meetings(max(4, round((triples - FIXED_TRIPLES) / PER_MEETING_TRIPLES)))


def plan_for_meetings(meetings: int) -> Plan:
    """The counts for about ``meetings`` meetings: annual series of up to 40 years, 3 series per organization."""
    years = LAST_YEAR - FIRST_YEAR + 1
    per_series = max(3, min(years, round(math.sqrt(meetings) * 1.5)))
    series_per_igo = 3
    igos = max(1, math.ceil(meetings / per_series / series_per_igo))
    per_series = max(3, min(years, round(meetings / (igos * series_per_igo))))
    return Plan(countries=180, igos=igos, series_per_igo=series_per_igo, meetings_per_series=per_series,
                rilos_per_igo=4, departments_per_igo=3)


@dataclass
class Entity:
    key: str
    type: str
    en: str
    ru: str | None = None
    fr: str | None = None
    aliases: dict[str, list[str]] = field(default_factory=dict)
    country: str | None = None
    code: str | None = None

    def yaml(self) -> str:
        names = [f"en: {q(self.en)}"]
        if self.ru:
            names.append(f"ru: {q(self.ru)}")
        if self.fr:
            names.append(f"fr: {q(self.fr)}")
        lines = [f"  - id: {self.key}", f"    type: {self.type}", "    name: {" + ", ".join(names) + "}"]
        if self.aliases:
            lines.append("    aliases: {" + ", ".join(f"{lang}: {qlist(v)}" for lang, v in sorted(self.aliases.items())) + "}")
        if self.code:
            lines.append(f"    code: {self.code}")
        if self.country:
            lines.append(f"    country: {self.country}")
        return "\n".join(lines) + "\n"


def _check_statement(body: list[str]) -> None:
    """``body`` uses a kind of graph_builder.loading.schema with only its fields, and every required one."""
    kind, _, rest = body[0].partition(": ")
    declared = KINDS.get(kind)
    if declared is None:
        raise ValueError(f"synth: '{kind}' is not a statement kind of graph_builder.loading.schema")
    if declared.written is Written.MAPPING:
        mapping = yaml.load(rest, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        names = set(mapping) if isinstance(mapping, dict) else set()
    else:
        names = {line.partition(":")[0] for line in body[1:] if not line[:1].isspace()}  # not a list's items
    fields = {f.name for f in declared.fields}
    unknown, missing = names - fields, {f.name for f in declared.fields if f.required} - names
    if unknown or missing:
        raise ValueError(f"synth: a {kind} statement with {sorted(unknown)} unknown and {sorted(missing)} missing")



class Article:
    """One source article: its metadata, its sentences (the text) and its statements (YAML)."""

    def __init__(self, key: str, headline: str, published: str | None, publisher: str | None,
                 language: str = "en", url: bool = True):
        self.key = key
        self.headline = headline
        self.published = published
        self.publisher = publisher
        self.language = language
        self.url = url
        self.sentences: list[str] = []
        self.statements: list[str] = []

    def say(self, sentence: str) -> str:
        if sentence not in self.sentences:
            self.sentences.append(sentence)
        return sentence

    def state(self, quotes: list[str], body: list[str]) -> None:
        """A statement: ``body`` is its kind line and fields, each 'key: value' (4-space indented), written
        only with the fields graph_builder.loading.schema declares for its kind (checked here)."""
        _check_statement(body)
        head = "  - quote:" + (" " + q(quotes[0]) if len(quotes) == 1 else "\n" + "".join(f"      - {q(s)}\n" for s in quotes).rstrip("\n"))
        self.statements.append(head + "\n" + "".join(f"    {line}\n" for line in body))

    def yaml(self) -> str:
        out = ["source:", f"  id: {self.key}", f"  text: {self.key}.txt", f"  headline: {q(self.headline)}"]
        if self.publisher:
            out.append(f"  publisher: {self.publisher}")
        if self.published:
            out.append(f"  published: {q(self.published)}")
        out.append(f"  language: {self.language}")
        if self.url:
            out.append(f"  url: {q('https://news.example.org/' + self.key)}")
        out.append("")
        out.append("statements:")
        return "\n".join(out) + "\n" + "\n".join(self.statements)

    def text(self) -> str:
        paras = [self.headline, ""]
        for i in range(0, len(self.sentences), 3):
            paras.append(" ".join(self.sentences[i:i + 3]))
            paras.append("")
        return "\n".join(paras)


def _date_text(d: str) -> str:
    parts = d.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


class _Generator:
    def __init__(self, triples: int, seed: int, plan: Plan | None = None):
        self.rng = random.Random(seed)
        self.plan = plan or plan_for(triples)
        self.entities: dict[str, list[Entity]] = {}
        self.articles: list[Article] = []
        self.person_count = 0
        self.manifest: dict[str, Any] = {"seed": seed, "target_triples": triples}

    # -- entities -------------------------------------------------------------
    def add(self, group: str, e: Entity) -> Entity:
        self.entities.setdefault(group, []).append(e)
        return e

    def person(self) -> Entity:
        self.person_count += 1
        n = self.person_count
        rng = self.rng
        (f_en, f_ru), (l_en, l_ru) = rng.choice(FIRST), rng.choice(LAST)
        e = Entity(f"person-{n:06d}", "Person", f"{f_en} {l_en} {n}", ru=f"{f_ru} {l_ru} {n}",
                   aliases={"en": [f"{f_en[0]}. {l_en} {n}"]})
        return self.add("people", e)

    def countries(self) -> None:
        codes = sorted(ISO_3166_ALPHA2)
        step = len(codes) / self.plan.countries
        chosen = [codes[int(i * step)] for i in range(self.plan.countries)]
        self.admins: list[Entity] = []
        self.cities: dict[str, Entity] = {}
        self.enforcement: dict[str, Entity] = {}
        for code in chosen:
            lc = code.lower()
            c = self.add("countries", Entity(f"country-{lc}", "Country", f"Country {code}", ru=f"Страна {code}",
                                             fr=f"Pays {code}", code=code))
            a = self.add("administrations", Entity(
                f"customs-{lc}", "NationalCustomsAdministration", f"Customs Administration of Country {code}",
                ru=f"Таможенная служба страны {code}", fr=f"Administration des douanes du pays {code}",
                aliases={"en": [f"{code} Customs"]}, country=c.key))
            self.admins.append(a)

    def city(self, code: str, i: int) -> str:
        """The key of city ``i`` of a country, declared when first used."""
        key = f"city-{code.lower()}-{i}"
        if key not in self.cities:
            self.cities[key] = self.add("places", Entity(key, "City", f"City {i} of Country {code}",
                                                          ru=f"Город {i} страны {code}", country=f"country-{code.lower()}"))
        return key

    def department(self, code: str) -> Entity:
        """A country's enforcement department, declared (and placed in its administration) when first used."""
        if code not in self.enforcement:
            dept = self.enforcement[code] = self.add("administrations", Entity(
                f"customs-{code.lower()}-enforcement", "Department", f"Enforcement Department of the {code} Customs",
                ru=f"Правоохранительный департамент таможни {code}"))
            s = self.national.say(f"The {dept.en} is part of the Customs Administration of Country {code}.")
            self.national.state([s], [f"part_of: {{unit: {dept.key}, parent: customs-{code.lower()}}}"])
        return self.enforcement[code]

    # -- structure ------------------------------------------------------------
    def structure(self) -> None:
        """Per organization: bodies, series, and the article that states the structure."""
        p = self.plan
        rng = self.rng
        self.series: list[tuple[Entity, Entity, Entity]] = []  # (series, body, igo)
        self.rilos: list[Entity] = []
        self.bodies: list[Entity] = []
        self.topics: list[Entity] = []
        self.topic_of: dict[str, Entity] = {}  # an organization's key -> its enforcement topic
        self.heads: list[tuple[Entity, Entity]] = []  # (person, body)
        # Structure of the national administrations: their enforcement departments, stated as used.
        self.national = Article("synthetic-national-enforcement-services",
                                "National customs enforcement services of the world", "2023-06-01", None)
        self.articles.append(self.national)
        for i in range(1, p.igos + 1):
            igo = self.add("organizations", Entity(
                f"org-{i:04d}", "IntergovernmentalOrganization", f"Customs Cooperation Organization {i}",
                ru=f"Организация таможенного сотрудничества {i}", fr=f"Organisation de coopération douanière {i}",
                aliases={"en": [f"CCO-{i}"], "ru": [f"ОТС-{i}"], "fr": [f"OCD-{i}"]}))
            founded = str(rng.randint(1950, 1990))
            art = Article(f"synthetic-org-{i:04d}-structure", f"About the Customs Cooperation Organization {i}",
                          f"{rng.randint(2015, 2023)}-{rng.randint(1, 12):02d}", igo.key)
            s = art.say(f"The Customs Cooperation Organization {i} (CCO-{i}) was founded in {founded}.")
            art.state([s], [f"founded: {{org: {igo.key}, date: {q(founded)}}}"])
            hq = self.rng.choice(self.admins).country or ""
            hq_city = self.city(hq.split('-')[1].upper(), 1)
            s = art.say(f"Its headquarters are in City 1 of Country {hq.split('-')[1].upper()}.")
            art.state([s], [f"located: {{entity: {igo.key}, place: {hq_city}}}"])
            s = art.say(f"In Russian the organization is called «Организация таможенного сотрудничества {i}», in French «Organisation de coopération douanière {i}».")
            art.state([s], [f"alias: {{entity: {igo.key}, text: {q(f'ОТС-{i}')}, lang: ru}}"])
            art.state([s], [f"alias: {{entity: {igo.key}, text: {q(f'OCD-{i}')}, lang: fr}}"])
            council = self.add("organizations", Entity(f"org-{i:04d}-council", "Council", f"Council of the CCO-{i}",
                                                       ru=f"Совет ОТС-{i}", fr=f"Conseil de l'OCD-{i}"))
            secretariat = self.add("organizations", Entity(f"org-{i:04d}-secretariat", "Secretariat",
                                                           f"Secretariat of the CCO-{i}", ru=f"Секретариат ОТС-{i}"))
            committees = [self.add("organizations", Entity(
                f"org-{i:04d}-committee-{j}", "Committee", f"Committee {j} of the CCO-{i}",
                ru=f"Комитет {j} ОТС-{i}", fr=f"Comité {j} de l'OCD-{i}",
                aliases={"en": [f"CCO-{i} C{j}"]})) for j in range(1, p.series_per_igo)]
            depts = [self.add("organizations", Entity(
                f"org-{i:04d}-department-{j}", "Department", f"Department {j} of the CCO-{i} Secretariat",
                ru=f"Департамент {j} Секретариата ОТС-{i}")) for j in range(1, p.departments_per_igo + 1)]
            for unit in [council, secretariat] + committees:
                s = art.say(f"The {unit.en.removesuffix(f' of the CCO-{i}')} is a body of the CCO-{i}.")
                art.state([s], [f"part_of: {{unit: {unit.key}, parent: {igo.key}}}"])
            for c in committees:
                s = art.say(f"The {c.en} reports to the Council of the CCO-{i}.")
                art.state([s], [f"reports_to: {{org: {c.key}, to: {council.key}}}"])
                s2 = art.say(f"The Secretariat of the CCO-{i} supports the work of the {c.en}.")
                art.state([s2], [f"supported_by: {{org: {c.key}, by: {secretariat.key}}}"])
            for d in depts:
                s = art.say(f"The {d.en} is part of the Secretariat.")
                art.state([s], [f"part_of: {{unit: {d.key}, parent: {secretariat.key}}}"])
            for j in range(1, p.rilos_per_igo + 1):
                host = rng.choice(self.admins)
                code = (host.country or "").split("-")[1].upper()
                rilo = self.add("organizations", Entity(
                    f"org-{i:04d}-rilo-{j}", "RILO", f"Regional Intelligence Liaison Office {j} of the CCO-{i}",
                    ru=f"Региональный узел связи по правоохранительной деятельности {j} ОТС-{i}",
                    aliases={"en": [f"RILO {i}-{j}"], "ru": [f"РИЛО {i}-{j}"]}))
                self.rilos.append(rilo)
                dept = self.department(code)
                date = f"{rng.randint(1987, 2015)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                s = art.say(f"The RILO {i}-{j}, established on {_date_text(date)}, is structurally part of the "
                            f"{dept.en} and is located in City 2 of Country {code}.")
                art.state([s], [f"part_of: {{unit: {rilo.key}, parent: {dept.key}}}"])
                art.state([s], [f"founded: {{org: {rilo.key}, date: {q(date)}}}"])
                art.state([s], [f"located: {{entity: {rilo.key}, place: {self.city(code, 2)}}}"])
                art.state([s], [f"alias: {{entity: {rilo.key}, text: {q(f'RILO {i}-{j}')}, lang: en}}"])
            s = art.say(f"The CCO-{i} is an intergovernmental organization of customs administrations "
                        f"with {p.rilos_per_igo} Regional Intelligence Liaison Offices.")
            art.state([s], [f"description: {{entity: {igo.key}, text: "
                            f"{q('an intergovernmental organization of customs administrations')}}}"])
            art.state([s], [f"stated_count: {{entity: {igo.key}, count: {p.rilos_per_igo}, "
                            f"of: {q('Regional Intelligence Liaison Offices')}}}"])
            # A programme with its own period, implemented by the council, about a topic of the organization.
            topic = self.add("things", Entity(f"org-{i:04d}-topic", "Topic", f"Enforcement topic {i}",
                                              aliases={"en": [f"ET{i}"]}))
            self.topics.append(topic)
            self.topic_of[igo.key] = topic
            programme = self.add("things", Entity(f"org-{i:04d}-programme", "Programme",
                                                  f"Enforcement Programme {i} for {FIRST_YEAR}-{LAST_YEAR}"))
            s = art.say(f"The {council.en} is currently implementing the Enforcement Programme {i} for "
                        f"{FIRST_YEAR}-{LAST_YEAR} on enforcement topic {i} (ET{i}).")
            art.state([s], [f"programme: {programme.key}", f"start: {q(str(FIRST_YEAR))}", f"end: {q(str(LAST_YEAR))}",
                            "status: in-force", f"implemented_by: [{council.key}]", f"about: [{topic.key}]"])
            platform = self.add("things", Entity(f"org-{i:04d}-platform", "InformationPlatform",
                                                 f"Enforcement Network {i}", aliases={"en": [f"EN{i}"]}))
            s = art.say(f"The RILOs of the CCO-{i} exchange information through the Enforcement Network {i} (EN{i}).")
            art.state([s], [f"linked_to: {{thing: {platform.key}, to: {klist([r.key for r in self.rilos[-p.rilos_per_igo:]])}}}",])
            art.state([s], [f"run_by: {{thing: {platform.key}, by: [{igo.key}]}}"])
            for body in [council] + committees:
                series = self.add("events", Entity(
                    f"{body.key}-sessions", "MeetingSeries", f"Session of the {body.en}",
                    ru=f"Сессия: {body.ru}" if body.ru else None, aliases={"en": [f"{body.en} sessions"]}))
                s = art.say(f"The {body.en} meets once a year.")
                art.state([s], [f"recurs: {{series: {series.key}, frequency: annual}}"])
                art.state([s], [f"series_of: {{series: {series.key}, body: {body.key}}}"])
                self.series.append((series, body, igo))
                self.bodies.append(body)
            # Heads of the departments and a Secretary General: tenures of mixed precision.
            for d in depts + [secretariat]:
                for _ in range(2):
                    self.tenure(art, self.person(), d, "director" if d is not secretariat else "secretary-general")
            # Members of the committees: administrations, with dates of mixed precision.
            for c in [council] + committees:
                for admin in rng.sample(self.admins, 6):
                    self.member(art, admin, c)
            self.articles.append(art)

    def tenure(self, art: Article, person: Entity, body: Entity, role: str) -> None:
        rng = self.rng
        kind = rng.random()
        role_word = {"director": "Director", "secretary-general": "Secretary General", "head": "Head"}[role]
        key = f"{person.key}-{role}-{body.key}"
        fields = [f"membership: {key}", f"member: {person.key}", f"organization: {body.key}", f"role: {role}"]
        y = rng.randint(1995, 2020)
        if kind < 0.25:  # year precision, closed
            start, end = str(y), str(y + rng.randint(1, 4))
            s = art.say(f"{person.en} served as {role_word} of the {body.en} from {start} to {end}.")
            fields += [f"start: {q(start)}", f"end: {q(end)}"]
        elif kind < 0.5:  # month precision, open-ended
            start = f"{y}-{rng.randint(1, 12):02d}"
            s = art.say(f"{person.en} has been {role_word} of the {body.en} since {_date_text(start)}.")
            fields += [f"start: {q(start)}"]
        elif kind < 0.75:  # day precision, closed
            start = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            end = f"{y + rng.randint(1, 3)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            s = art.say(f"{person.en} was {role_word} of the {body.en} from {_date_text(start)} to {_date_text(end)}.")
            fields += [f"start: {q(start)}", f"end: {q(end)}"]
        else:  # undated but attested
            at = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            s = art.say(f"On {_date_text(at)}, {person.en}, {role_word} of the {body.en}, addressed the staff.")
            fields += [f"attested: [{q(at)}]"]
        art.state([s], fields)
        self.heads.append((person, body))

    def member(self, art: Article, admin: Entity, body: Entity) -> None:
        rng = self.rng
        key = f"{admin.key}-member-{body.key}"
        k = rng.random()
        fields = [f"membership: {key}", f"member: {admin.key}", f"organization: {body.key}", "role: member"]
        if k < 0.4:
            start = str(rng.randint(1970, 2010))
            s = art.say(f"The {admin.en} has been a member of the {body.en} since {start}.")
            fields.append(f"start: {q(start)}")
        elif k < 0.7:
            start = f"{rng.randint(1970, 2010)}-{rng.randint(1, 12):02d}"
            s = art.say(f"The {admin.en} joined the {body.en} in {_date_text(start)}.")
            fields.append(f"start: {q(start)}")
        else:
            s = art.say(f"The {admin.en} is a member of the {body.en}.")
            fields.append(f"attested: [{q(str(rng.randint(2015, 2023)))}]")
        art.state([s], fields)

    # -- meetings -------------------------------------------------------------
    def meetings(self) -> None:
        p = self.plan
        rng = self.rng
        self.meeting_keys: list[str] = []
        ops = 0
        for series, body, igo in self.series:
            first_number = rng.randint(1, 30)
            first_year = LAST_YEAR - p.meetings_per_series + 1
            previous: str | None = None
            chair: tuple[Entity, str, str] | None = None  # (agent, membership key, election key)
            for k in range(p.meetings_per_series):
                year = first_year + k
                number = first_number + k
                if k > 1 and rng.random() < 0.05:
                    previous = None  # a meeting no source tells of: a numbering gap
                    continue
                key = f"{series.key.removesuffix('-sessions')}-session-{number}"
                self.add("events", Entity(key, "Session", f"{ordinal(number)} Session of the {body.en}",
                                          ru=f"{number}-я сессия: {body.ru}" if body.ru else None))
                self.meeting_keys.append(key)
                host = rng.choice(self.admins)
                code = (host.country or "").split("-")[1].upper()
                prec = rng.random()
                month, day = rng.randint(1, 12), rng.randint(1, 26)
                online = rng.random() < 0.15
                art = Article(f"synthetic-{key}", f"The {ordinal(number)} Session of the {body.en} was held",
                              f"{year}-{month:02d}-{day + 2:02d}" if prec < 0.8 else str(year), igo.key)
                fields = [f"event: {key}", f"series: {series.key}", f"number: {number}"]
                if prec < 0.8:
                    start, end = f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day + 2:02d}"
                    when = f"from {day} to {day + 2} {MONTHS[month - 1]} {year}"
                    fields += [f"start: {q(start)}", f"end: {q(end)}"]
                    mdate = start
                elif prec < 0.95:
                    when = f"in {MONTHS[month - 1]} {year}"
                    mdate = f"{year}-{month:02d}"
                    fields += [f"date: {q(mdate)}"]
                else:
                    when = f"in {year}"
                    mdate = str(year)
                    fields += [f"date: {q(mdate)}"]
                where = "online" if online else f"in City 1 of Country {code}"
                s1 = art.say(f"The {ordinal(number)} Session of the {body.en} took place {where} {when}.")
                fields += ["attendance: online" if online else f"place: {self.city(code, 1)}", "status: took-place"]
                attendees = sorted(rng.sample(self.admins, rng.randint(8, 16)), key=lambda e: e.key)
                # Now and then an article miscounts the delegations it lists (a contradiction within a source).
                stated = len(attendees) + (1 if rng.random() < 0.03 else 0)
                s2 = art.say(f"Delegations of {stated} customs administrations took part: "
                             + ", ".join(a.en.removeprefix("Customs Administration of ") for a in attendees) + ".")
                fields.append(f"attendees: {klist([a.key for a in attendees])}")
                fields.append(f"organizer: [{igo.key}]")
                roles = []
                quotes = [s1, s2]
                if chair is not None:
                    s3 = art.say(f"The session was chaired by the {chair[0].en}.")
                    roles.append(f"{{agent: {chair[0].key}, role: chair}}")
                    quotes.append(s3)
                if not online:
                    s4 = art.say(f"The {host.en} hosted the session.")
                    roles.append(f"{{agent: {host.key}, role: host}}")
                    quotes.append(s4)
                speaker = self.person()
                s5 = art.say(f"{speaker.en}, on behalf of the {igo.en}, opened the session.")
                roles.append(f"{{agent: {speaker.key}, role: opening-speaker, on_behalf_of: {igo.key}}}")
                quotes.append(s5)
                if rng.random() < 0.2:  # what the speaker stressed: the speaker's words, not a fact
                    topic = self.topic_of[igo.key]
                    words = f"cooperation on {topic.en.lower()} must continue"
                    said = art.say(f"{speaker.en} stressed that {words}.")
                    art.state([said], [f"said: {key}-speech", f"speaker: {speaker.key}", "verb: stressed",
                                       f"text: {q(words)}", f"at: {key}", f"about: [{topic.key}]"])
                fields.append("roles:")
                fields += [f"  - {r}" for r in roles]
                fields.append("stated_counts:")
                fields.append(f"  - {{count: {stated}, of: \"customs administrations\", "
                              f"counted_type: NationalCustomsAdministration, enumerated: true}}")
                if previous is not None:
                    fields.append(f"follows: {previous}")
                if rng.random() < 0.3:
                    plan = self.add("things", Entity(f"{key}-action-plan", "Plan",
                                                     f"Action Plan adopted at the {ordinal(number)} Session of the {body.en}"))
                    s6 = art.say(f"The participants approved the {plan.en.removesuffix(f' adopted at the {ordinal(number)} Session of the {body.en}')} for {year + 1}-{year + 2}.")
                    fields.append(f"outcomes: [{{action: approved, object: {plan.key}}}]")
                    quotes.append(s6)
                art.state(quotes, fields)
                # Elections: every second session elects the chair and a vice-chair for the next two years.
                if k % 2 == 0:
                    candidate = rng.choice(self.admins + self.rilos)
                    ekind = "re-election" if chair is not None and chair[0] is candidate else "election"
                    ekey = f"election-{key}-chair"
                    mkey = f"{candidate.key}-chair-{series.key}-{year + 1}-{year + 2}"
                    s7 = art.say(f"The {candidate.en} was elected Chair of the {series.en} for the period "
                                 f"{year + 1}-{year + 2}.")
                    art.state([s7], [f"election: {ekey}", f"kind: {ekind}", f"at: {key}",
                                     f"date: {q(mdate)}",
                                     "role: chair", f"organization: {series.key}", f"candidate: {candidate.key}"])
                    art.state([s7], [f"membership: {mkey}", f"member: {candidate.key}", f"organization: {series.key}",
                                     "role: chair", f"start: {q(str(year + 1))}", f"end: {q(str(year + 2))}",
                                     f"generated_by: {ekey}"])
                    vice = rng.choice(self.admins)
                    vkey = f"election-{key}-vice-chair"
                    s8 = art.say(f"The {vice.en} was elected Vice-Chair of the {series.en} for the same period.")
                    art.state([s8], [f"election: {vkey}", "kind: election", f"at: {key}", "role: vice-chair",
                                     f"organization: {series.key}", f"candidate: {vice.key}"])
                    art.state([s7, s8], [f"membership: {vice.key}-vice-chair-{series.key}-{year + 1}-{year + 2}",
                                         f"member: {vice.key}", f"organization: {series.key}", "role: vice-chair",
                                         f"start: {q(str(year + 1))}", f"end: {q(str(year + 2))}",
                                         f"generated_by: {vkey}"])
                    if chair is not None and chair[0] is not candidate:
                        s9 = art.say(f"The {chair[0].en} handed over the chairmanship to the {candidate.en}.")
                        art.state([s9], [f"handover: handover-{key}-chair", f"outgoing: {chair[1]}", f"incoming: {mkey}"])
                    chair = (candidate, mkey, ekey)
                # The head of the host's enforcement department, a tenure of mixed precision.
                if not online and rng.random() < 0.5:
                    self.tenure(art, self.person(), self.department(code), "head")
                # An alias in another language.
                alias = rng.random() < 0.3
                if alias:
                    lang, text = rng.choice([("ru", f"{number}-я сессия"), ("fr", f"{ordinal(number)} session")])
                    word = "Russian" if lang == "ru" else "French"
                    s9 = art.say(f"In {word} the meeting is known as «{text}: {body.en}».")
                    art.state([s9], [f"alias: {{entity: {key}, text: {q(f'{text}: {body.en}')}, lang: {lang}}}"])
                # An operation reported at the session, with seized quantities.
                if rng.random() < 0.35:
                    ops += 1
                    self.operation(art, ops, key, igo, attendees, year)
                self.articles.append(art)
                # The host's press release: a second source for the date, place and chair.
                if not online and rng.random() < 0.35:
                    pr = Article(f"synthetic-{key}-press-release", f"{host.en}: the {ordinal(number)} Session of the {body.en}",
                                 art.published, host.key, language="en", url=False)
                    pfields = [f"event: {key}", f"series: {series.key}", f"number: {number}"] + [
                        f for f in fields[3:] if f.startswith(("start:", "end:", "date:", "place:"))]
                    t = pr.say(f"The {host.en} hosted the {ordinal(number)} Session of the {body.en} {when} in City 1 of Country {code}.")
                    pr.state([t], pfields + ["roles:", f"  - {{agent: {host.key}, role: host}}"])
                    if alias and rng.random() < 0.5:
                        # The host names the meeting its own way (two sources, two names).
                        name = f"{body.en}, {ordinal(number)} Session"
                        a = pr.say(f"The {host.en} calls the meeting the «{name}».")
                        pr.state([a], [f"alias: {{entity: {key}, text: {q(name)}, lang: en}}"])
                    self.articles.append(pr)
                previous = key

    def operation(self, art: Article, n: int, meeting: str, igo: Entity, attendees: list[Entity], year: int) -> None:
        rng = self.rng
        key = f"operation-{n:06d}"
        name = f"Operation {LAST[n % len(LAST)][0]}-{n}"
        self.add("events", Entity(key, "Operation", name, ru=f"Операция {LAST[n % len(LAST)][1]}-{n}"))
        runners = sorted(rng.sample(attendees, 3), key=lambda e: e.key)
        goods = rng.sample(GOODS, 2)
        qfields = []
        parts = []
        for j, (what, unit) in enumerate(goods):
            amount = rng.randint(2, 900)
            unit_word = {"KGM": "kg", "TNE": "tonnes", "C62": "items"}[unit]
            style = rng.random()
            if style < 0.5:
                qfields.append(f"  - {{id: {key}-seized-{j + 1}, name: {q(what + ' seized')}, value: {q(str(amount))}, unit: {unit}}}")
                parts.append(f"{amount} {unit_word} of {what}")
            elif style < 0.8:
                qfields.append(f"  - {{id: {key}-seized-{j + 1}, name: {q(what + ' seized')}, min: {q(str(amount))}, unit: {unit}}}")
                parts.append(f"over {amount} {unit_word} of {what}")
            else:
                qfields.append(f"  - {{id: {key}-seized-{j + 1}, name: {q(what + ' seized')}, min: {q(str(amount))}, max: {q(str(amount * 2))}, unit: {unit}}}")
                parts.append(f"between {amount} and {amount * 2} {unit_word} of {what}")
        month = rng.randint(1, 12)
        s = art.say(f"{name}, conducted in {MONTHS[month - 1]} {year} by "
                    + ", ".join(r.en for r in runners) + ", resulted in the seizure of " + " and ".join(parts) + ".")
        art.state([s], [f"event: {key}", f"date: {q(f'{year}-{month:02d}')}", f"organizer: {klist([r.key for r in runners])}",
                        "quantities:"] + qfields)
        s2 = art.say(f"The participants discussed the results of {name}.")
        art.state([s2], [f"event: {meeting}", f"about: [{key}]"])

    # -- output ---------------------------------------------------------------
    def write(self, out: Path) -> dict[str, Any]:
        for sub in ("vocab", "entities", "sources", "texts"):
            (out / sub).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(default_facts_dir() / "vocab" / "roles.yaml", out / "vocab" / "roles.yaml")
        for group, items in sorted(self.entities.items()):
            for c in range(0, len(items), CHUNK):
                name = group if len(items) <= CHUNK else f"{group}-{c // CHUNK + 1:04d}"
                _write(out / "entities" / f"{name}.yaml",
                       "# Synthetic entities (customs-kg synth).\nentities:\n" + "".join(e.yaml() for e in items[c:c + CHUNK]))
        for art in self.articles:
            _write(out / "sources" / f"{art.key}.yaml", art.yaml())
            _write(out / "texts" / f"{art.key}.txt", art.text())
        return self.manifest

    def build_manifest(self) -> None:
        series, body, igo = self.series[0]
        meetings = [k for k in self.meeting_keys if k.startswith(series.key.removesuffix("-sessions"))]
        rilo = self.rilos[0]
        person, _b = self.heads[0]
        self.manifest.update({
            "plan": self.plan.__dict__,
            "entities": sum(len(v) for v in self.entities.values()),
            "sources": len(self.articles),
            "params": {
                "series": series.key, "number": meetings[0].rsplit("-", 1)[1], "meetingA": meetings[0],
                "meetingB": meetings[1], "body": series.key, "org": rilo.key, "entity": rilo.key,
                "person": person.key, "year": str(LAST_YEAR - 1), "date": f"{LAST_YEAR - 1}-06-01",
                "from": str(FIRST_YEAR),
                "name": rilo.aliases["en"][0], "igo": igo.key, "committee": body.key, "post_body": _b.key,
                "topic": self.topics[0].key, "council": self.bodies[0].key,
            },
        })


# Parameter values for each named query (queries/cq), from the manifest's "params".
QUERY_PARAMS: dict[str, dict[str, str]] = {
    "chair-evidence": {"body": "series"},
    "chair-of-series-in-year": {"body": "series", "year": "year"},
    "chair-succession": {"body": "series"},
    "common-attendees": {"meetingA": "meetingA", "meetingB": "meetingB"},
    "entity-names": {"entity": "entity"},
    "meeting-chair": {"series": "series", "number": "number"},
    "meeting-outcomes": {"meeting": "meetingA"},
    "members-of-body": {"body": "committee"},
    "membership-network": {"date": "date"},
    "missing-meeting-numbers": {"series": "series"},
    "non-country-participants": {"meeting": "meetingA"},
    "online-meetings-between": {"from": "from", "to": "date"},
    "overlapping-tenures": {"body": "series"},
    "parent-bodies": {"org": "org"},
    "person-timeline": {"person": "person"},
    "post-holder-on-date": {"body": "post_body", "date": "date"},
    "programmes-of-body": {"body": "council"},
    "about-topic": {"topic": "topic"},
    "resolve-name": {"name": "name"},
    "series-meetings": {"series": "series"},
    "single-source-facts": {"about": "entity"},
    "undated-or-unsourced-memberships": {"body": "committee"},
    "vice-chairs-during-chairmanship": {"body": "series"},
}


def query_params(manifest: dict[str, Any], query: str, required: tuple[str, ...] = ()) -> dict[str, str]:
    """Parameter values that exist in a synthetic folder for a named query.

    Queries not listed in :data:`QUERY_PARAMS` get their ``required``
    parameters by name from the manifest (queries without parameters get none).
    """
    values = manifest["params"]
    names = QUERY_PARAMS.get(query, {name: name for name in required})
    return {param: str(values[key]) for param, key in names.items() if key in values}


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def generate(out_dir: Path | str, triples: int, seed: int = 0) -> dict[str, Any]:
    """Write a synthetic facts folder of about ``triples`` built triples into ``out_dir``.

    Returns the manifest (also written to ``out_dir/synth-manifest.json``):
    the plan's counts and parameter values that exist in the data.
    """
    out = Path(out_dir)
    if triples < 1000:
        raise UsageError("the target must be at least 1000 triples")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MANIFEST).is_file():
            raise UsageError(f"{out} is not empty and was not written by customs-kg synth; give a new or empty folder")
        for sub in ("vocab", "entities", "sources", "texts"):  # replace an earlier synthetic folder
            if (out / sub).exists():
                shutil.rmtree(out / sub)
    g = _Generator(triples, seed)
    g.countries()
    g.structure()
    g.meetings()
    g.build_manifest()
    manifest = g.write(out)
    _write(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest

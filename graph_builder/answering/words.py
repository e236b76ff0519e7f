"""The words the answers print, by language: English is the key, other languages are looked up.

Cards, timelines, the networks and the site build their text from English
phrases and templates (``"founded {date}"``); :func:`word` and :func:`say`
give them in the language asked for, falling back to English for what the
table lacks. A phrase looked up in a language that lacks it is recorded in
:data:`MISSING`, so a test can show that a page in that language has none.

Closed vocabularies of the facts (outcome actions, speech verbs) have their own
tables, as their words collide with others ("announced" is a status and a verb).
"""

from __future__ import annotations

import re

LANGUAGES = ("en", "ru")

_RU_PAGES = {
    "Search": "Поиск", "Index": "Указатель", "Networks": "Сети", "SPARQL": "SPARQL",
    "a name, alias, acronym or key": "название, синоним, сокращение или ключ",
    "Search every name, alias, spelling and language (case and accents do not matter).":
        "Поиск по всем названиям, синонимам, написаниям и языкам (регистр и диакритика не важны).",
    "no entity has a name containing": "нет сущности с названием, содержащим",
    "people": "лица", "national customs administrations": "национальные таможенные администрации",
    "RILOs": "РИЛО", "meetings": "заседания", "operations": "операции",
    "bodies and units": "органы и подразделения", "countries": "страны", "places": "места",
    "programmes and projects": "программы и проекты", "platforms": "платформы",
    "plans, agreements, documents": "планы, соглашения, документы", "roles": "роли", "others": "прочее",
    "person": "лицо", "meeting": "заседание", "country": "страна", "role": "роль", "other": "прочее",
    "Names": "Названия", "types": "типы", "Timeline": "Хронология",
    "Networks around it": "Сети вокруг", "stated": "утверждено", "planned": "запланировано",
    "derived": "выведено", "no source": "без источника",
    "a source states it": "это утверждает источник",
    "not stated as having taken place: a plan, an invitation, an announcement or a cancellation":
        "не утверждается как состоявшееся: план, приглашение, объявление или отмена",
    "computed from stated links, not stated as such by a source":
        "вычислено по утверждённым связям, источник так не говорит",
    "no source is recorded for it": "источник не записан",
    "source": "источник", "undated": "без даты", "quote": "цитата", "citing": "со ссылкой на",
    "preferred": "основное", "also": "также", "code": "код",
    "(the graph records nothing else about it)": "(граф больше ничего о нём не содержит)",
    "Undated: no term dates in the sources": "Без даты: в источниках нет сроков",
    "undated: no date in the sources": "без даты: в источниках нет даты",
    "Numbering gaps": "Пропуски в нумерации", "end not recorded": "конец не записан",
    "start not recorded": "начало не записано", "attested": "упомянуто",
    "no term dates; attested on the date marked": "сроки не указаны; упомянуто в отмеченную дату",
    "meetings in this term": "заседания в этом сроке", "As of": "На дату", "all dates": "все даты",
    "Fit all": "Показать всё",
    "Part of the network is shown, at a readable size: drag to move, scroll to zoom, “Fit all” shows all of it.":
        "Показана часть сети в читаемом масштабе: перетаскивание сдвигает, колесо масштабирует, «Показать всё» "
        "показывает всю сеть.", "Legend": "Легенда", "depth": "глубина",
    "Group of participants: click to show or hide them": "Группа участников: щелчок показывает или скрывает их",
    "participants": "участников", "Run": "Выполнить", "Examples (named queries)": "Примеры (именованные запросы)",
    "Parameters": "Параметры", "Results": "Результаты", "rows": "строк",
    "Entities": "Сущности", "Lists by kind": "Списки по видам", "the whole network": "вся сеть",
    "around": "вокруг", "cannot tell whether it held on the date": "нельзя сказать, действовало ли на дату",
    "Sources and quotes: open a source line to read the quoted sentence.":
        "Источники и цитаты: раскройте строку источника, чтобы прочитать цитату.",
    "Membership network: bodies and their members": "Сеть членства: органы и их члены",
    "Structure: part-of and reporting lines": "Структура: вхождение и подотчётность",
    "Meetings and their participants": "Заседания и их участники",
    "Chairs and vice-chairs over time": "Председатели и заместители во времени",
    "national customs administration": "национальная таможенная администрация", "RILO": "РИЛО",
    "body or unit": "орган или подразделение", "meeting series": "серия заседаний",
    "chair": "председатель", "vice-chair": "заместитель председателя",
    "national contact point": "национальный контактный пункт", "member": "член",
    "post (head, deputy, director, ...)": "должность (глава, заместитель, директор, ...)",
    "part of (org:subOrganizationOf)": "входит в (org:subOrganizationOf)",
    "reports to (org:reportsTo)": "подотчётен (org:reportsTo)", "participant": "участник",
    "other role at the meeting (host, speaker, ...)": "иная роль на заседании (хозяин, докладчик, ...)",
    "meeting of the series": "заседание серии", "chair term": "срок председателя",
    "vice-chair term": "срок заместителя председателя", "chaired the meeting": "председательствовал",
    "vice-chaired the meeting": "был заместителем председателя", "other": "прочее",
    "Query": "Запрос", "The query runs in this page on the embedded graph; nothing is sent anywhere.":
        "Запрос выполняется на этой странице над встроенным графом; ничего никуда не отправляется.",
    "meetings in this term are derived from the term's dates": "заседания в этом сроке выведены из дат срока",
    "Chairs and vice-chairs": "Председатели и заместители", "Members and post holders": "Члены и должностные лица",
    "Meetings": "Заседания", "Founded": "Основан", "Posts and memberships": "Должности и членство",
    "Meeting roles": "Роли на заседаниях", "Elections": "Выборы",
    "Memberships and posts": "Членство и должности", "About": "Сведения",
    "Part of (up to the top)": "Входит в (до вершины)", "Reports to": "Подотчётен", "Place": "Место",
    "Run by": "Управляется", "Linked to": "Связан с", "Units and bodies below": "Подразделения и органы ниже",
    "Roles at meetings": "Роли на заседаниях", "Attended": "Участвовал", "Organized": "Организовал",
    "Discussed at": "Обсуждался на", "Outcome of": "Итог", "Event": "Событие", "Phases": "Этапы",
    "Roles": "Роли", "Participants": "Участники", "Quantities": "Количества", "Outcomes": "Итоги",
    "Planned roles (not stated as played)": "Запланированные роли (не утверждается, что исполнены)",
}

_RU_NETWORKS = {
    "part of": "входит в", "reports to": "подотчётен", "meeting of": "заседание серии", "from": "с",
    "until": "по", "dates unknown": "даты неизвестны", "participant": "участник",
    "invited": "приглашён", "announced": "объявлено", "cancelled": "отменено",
    "scheduled": "назначено", "postponed": "перенесено",
}

_RU_CARDS = {
    # sections of cards and timelines
    "Handovers": "Передачи полномочий", "Said": "Высказывания", "Editions and meetings": "Выпуски и заседания",
    "Programmes and plans": "Программы и планы", "Derived roles (not stated)": "Выведенные роли (источник их не называет)",
    "Discussed": "Обсуждалось", "Subject of": "Предмет", "Operations": "Операции", "inferred": "предположено",
    "inferred by a curator from the source, which does not state it: the reason is given":
        "предположено составителем по источнику, который этого прямо не говорит: причина указана",
    # phrases and templates of card lines
    "attested {dates}": "упомянуто {dates}", "on behalf of {who}": "от имени {who}",
    "elected": "избран", "re-elected": "переизбран", "appointed": "назначен",
    "at {where}": "на {where}", "in {when}": "в {when}", "term of {length}": "срок {length}",
    "until {date} ({basis}, not stated)": "до {date} ({basis}; источник этого не говорит)",
    "succeeded by {who}": "преемник: {who}", "succeeded {who}": "предшественник: {who}",
    "founded {date}": "основан {date}", "held annually": "проводится ежегодно", "held every {every}": "проводится раз в {every}",
    "stated count of members: {count}": "указанное число членов: {count}",
    "stated count of attendees: {count}": "указанное число участников: {count}",
    "serves {place}": "обслуживает {place}", "{place}, {country}": "{place}, {country}", "online": "онлайн",
    "administrative support: {body}": "административная поддержка: {body}",
    "the meetings of {body}": "заседания органа: {body}", "adopted by {body}": "кем принят: {body}",
    "adopted {date}": "принят {date}", "implements {programme}": "реализует: {programme}",
    "implemented by {body}": "реализуется: {body}", "its meetings: {series}": "его заседания: {series}",
    "{role} of {event}": "{role}: {event}", "{role} of {event} ({span})": "{role}: {event} ({span})",
    "nominated by {who}": "выдвинут: {who}", "elected by {who}": "избран органом: {who}",
    "{action} at {event}": "{action}: {event}", "No. {number}": "№ {number}",
    "period: {span}": "период: {span}", "status: {status} (not stated as in force)":
        "статус: {status} (не утверждается, что действует)", "date unknown": "дата неизвестна",
    "{role}, {body}: {outgoing} handed over to {incoming} ({detail})":
        "{role}, {body}: {outgoing} передаёт полномочия {incoming} ({detail})",
    "{speaker} {verb}: “{text}”{where} — the speaker's words, not a fact of the graph":
        "{speaker} ({verb}): «{text}»{where} — слова выступавшего, а не факт графа",
    "No. {number} of {series}": "№ {number} серии {series}", "part of {series}": "входит в {series}",
    "dates: {span}": "даты: {span}", "dates: unknown (no source gives them)": "даты: неизвестны (ни один источник их не приводит)",
    "format: {mode}": "формат: {mode}", "offline": "очно", "mixed": "смешанный",
    "status: {status} (not stated as having taken place)": "статус: {status} (не утверждается, что состоялось)",
    "platform: {platform}": "платформа: {platform}", "stated: {count}": "указано: {count}",
    "exactly {n}": "ровно {n}", "over {n}": "более {n}", "up to {n}": "до {n}", "and": "и",
    "immediately after {event}": "сразу после {event}",
    "{series}: no meeting numbered {missing} is recorded (the graph knows {known})":
        "{series}: заседание под номером {missing} не записано (в графе есть {known})",
    "{series}: no edition numbered {missing} is recorded (the graph knows {known})":
        "{series}: выпуск под номером {missing} не записан (в графе есть {known})",
    "meetings in this term: {meetings}": "заседания в этом сроке: {meetings}",
    "chaired by {who}": "председатель: {who}", "chair not recorded": "председатель не записан",
    "derived: {rule}": "выведено: {rule}", "inferred: {reason}": "предположено: {reason}",
    "by a rule": "по правилу", "within the chair's term": "в пределах срока председателя",
    "end of the fixed term": "окончание установленного срока",
    "when the successor took office": "со вступлением преемника в должность",
    "up the part-of links": "по цепочке вхождения", "group": "группа",
    "chair derived from a term (not stated)": "председатель по сроку (источник этого не говорит)",
    "vice-chair derived from a term (not stated)": "заместитель председателя по сроку (источник этого не говорит)",
    "one date known: from (>) or until (<)": "известна одна дата: с (>) или по (<)",
    "planned, invited or announced (not stated as done)": "запланировано, приглашён или объявлено (не утверждается, что состоялось)",
    "meetings in this term, from the term's dates": "заседания в этом сроке — по датам срока",
}

WORDS: dict[str, dict[str, str]] = {"en": {}, "ru": {**_RU_NETWORKS, **_RU_CARDS, **_RU_PAGES}}

# Closed vocabularies of the facts, each in its own table (their words collide with the phrases above).
TERMS: dict[str, dict[str, dict[str, str]]] = {
    "ru": {
        "action": {"agreed": "согласовано", "approved": "одобрено", "adopted": "принято", "established": "учреждено",
                   "reached": "достигнуто", "proposed": "предложено", "to-be-approved": "подлежит утверждению",
                   "appointed": "назначен"},
        "verb": {"said": "сказал", "stressed": "подчеркнул", "noted": "отметил", "announced": "объявил",
                 "proposed": "предложил", "called for": "призвал", "reported": "сообщил"},
    },
}

MISSING: set[tuple[str, str]] = set()  # (language, phrase) looked up and not found


def word(text: str, lang: str) -> str:
    """``text`` in ``lang`` when the table has it, else as given (recorded in :data:`MISSING`)."""
    if lang == "en":
        return text
    found = WORDS.get(lang, {}).get(text)
    if found is None:
        MISSING.add((lang, text))
        return text
    return found


def say(lang: str, template: str, **values: str) -> str:
    """``template`` in ``lang``, its ``{fields}`` filled in: ``say("ru", "founded {date}", date="1993")``."""
    return word(template, lang).format(**values)


def term(kind: str, value: str, lang: str) -> str:
    """A word of a closed vocabulary of the facts (``kind`` "action" or "verb") in ``lang``, else as given."""
    if lang == "en":
        return value
    found = TERMS.get(lang, {}).get(kind, {}).get(value)
    if found is None:
        MISSING.add((lang, f"{kind}: {value}"))
        return value
    return found


_UNITS = {"ru": {"year": ("год", "года", "лет"), "month": ("месяц", "месяца", "месяцев")}}


def count_of(n: int, unit: str, lang: str) -> str:
    """``4 years``, ``4 года``, ``5 лет``: a number and its unit, in the language's plural."""
    forms = _UNITS.get(lang, {}).get(unit)
    if forms is None:
        return f"{n} {unit}{'s' if n != 1 else ''}"
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} {forms[0]}"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} {forms[1]}"
    return f"{n} {forms[2]}"


def duration_words(text: str, lang: str = "en") -> str:
    """``P4Y`` -> "4 years", ``P2Y6M`` -> "2 years 6 months" (a term's length as written)."""
    found = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?", text)
    if not found:
        return text
    parts = [count_of(int(n), unit, lang) for n, unit in ((found.group(1), "year"), (found.group(2), "month")) if n]
    return " ".join(parts) or text

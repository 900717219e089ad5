"""The rule engine's evaluations for a synthetic record, as ``services.evaluation`` stores them
with each determination: the whole record (pack, version, content hash, inputs, result and the
explanation in legal English), byte for byte as ``json.dumps`` of the engine's own record.

The engine takes most of a millisecond per evaluation, too slow for millions of answers. But
for one pack segment (the ``RulePack.plan`` the engine itself caches by), one instrument shape
and one person profile, records differ only in their dates: the evaluation date and the dates
of the person's arrest, charges and convictions, each written as ``2024-03-05`` or as
``March 5, 2024``. So the first record of each shape is kept as a template with the dates cut
out, and later ones are the template with their own dates put in. The engine checks the
template on its first, second, fourth, eighth... use and on one use in 256 at random; a
template that does not match (a date that means something else too) is made again from the
engine's record."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.rules.errors import NoRuleInForce
from lexdesk.domain.rules.phrasebook import day
from lexdesk.domain.vocabulary import parse_kind
from lexdesk.services.ports import RuleBook

#: One template use in this many is checked against the engine, besides the scheduled checks.
SAMPLE = 256


@dataclass(frozen=True)
class Evaluated:
    """One evaluation: the record (for deciding the answer: statuses, rules, citations) and its
    JSON text as the determination stores it."""

    record: dict[str, Any]
    text: str

    def status_of(self, action: str) -> str:
        found = self.record["result"]["actions"].get(action) or {}
        return str(found.get("status", "conflict"))


@dataclass
class _Template:
    record: dict[str, Any]
    #: The record's JSON text cut at its dates: parts[0], date, parts[1], date, ...
    parts: list[str]
    #: For each cut: (which date of the document, long form or not).
    slots: list[tuple[int, bool]]
    uses: int = 0

    def render(self, dates: list[str]) -> str:
        long = [_long(d) for d in dates]
        out = [self.parts[0]]
        for (role, is_long), part in zip(self.slots, self.parts[1:], strict=True):
            out.append(long[role] if is_long else dates[role])
            out.append(part)
        return "".join(out)


@lru_cache(maxsize=8192)
def _long(iso: str) -> str:
    """``2024-03-05`` as the explanation writes it: March 5, 2024."""
    return day(date.fromisoformat(iso))


def _template(record: dict[str, Any], text: str, dates: list[str]) -> _Template:
    forms: dict[str, tuple[int, bool]] = {}
    for role, iso in enumerate(dates):
        forms.setdefault(iso, (role, False))
        forms.setdefault(_long(iso), (role, True))
    pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
    pieces = pattern.split(text)
    found = [forms[m.group(0)] for m in pattern.finditer(text)]
    return _Template(record, pieces, found)


def document_dates(document: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The dates of an evaluation request (``services.evaluation.rule_document``), in a fixed
    order, and the request with each replaced by the index of the first equal one: two requests
    with the same masked form differ in their dates alone."""
    person = document["person"]
    found: list[str] = [document["as_of"]]
    masked_person = dict(person)
    if "arrested_on" in person:
        found.append(person["arrested_on"])
    for name in ("pending_charges", "convictions"):
        for item in person.get(name, ()):
            for key in ("date", "released_on"):
                if key in item:
                    found.append(item[key])

    def mark(value: str) -> int:
        return found.index(value)

    if "arrested_on" in person:
        masked_person["arrested_on"] = mark(person["arrested_on"])
    for name in ("pending_charges", "convictions"):
        if name in person:
            masked_person[name] = [
                {k: (mark(v) if k in ("date", "released_on") else v) for k, v in item.items()}
                for item in person[name]
            ]
    masked = dict(document, as_of=0, person=masked_person)
    return found, masked


@dataclass
class EvaluationCache:
    """The engine's records for the determinations of a run, made from templates where the
    engine has shown that a template gives what it gives."""

    rules: RuleBook
    rng: random.Random
    templates: dict[str, _Template] = field(default_factory=dict)
    #: Shapes the engine refuses to decide (a pack that leaves an action to a lawyer), with
    #: its reason: the application cannot record an answer to them either.
    refused: dict[str, str] = field(default_factory=dict)
    #: How many records the engine made itself (the first of each shape, and each check).
    engine_calls: int = 0

    def evaluate(self, document: dict[str, Any]) -> Evaluated:
        """The engine's record for ``document``; raises what the engine raises (as
        ``NoRuleInForce`` for an action no rule of the pack decides)."""
        dates, masked = document_dates(document)
        # ``rule_document`` builds every request in the same order: its repr is a key.
        key = repr((masked, self._segment(document)))
        if key in self.refused:
            # A new exception each time: raising one object again would chain every story's
            # frames (and all they hold) onto its traceback for the rest of the run.
            raise NoRuleInForce(self.refused[key])
        template = self.templates.get(key)
        if template is not None:
            template.uses += 1
            if not self._check_due(template.uses):
                return Evaluated(template.record, template.render(dates))
        self.engine_calls += 1
        try:
            record = self.rules.decide(document).record
        except NoRuleInForce as refusal:
            self.refused[key] = str(refusal)
            raise
        text = json.dumps(record)
        if template is None or template.render(dates) != text:
            self.templates[key] = _template(record, text, dates)
        return Evaluated(record, text)

    def _check_due(self, uses: int) -> bool:
        powers_of_two = uses & (uses - 1) == 0
        return powers_of_two or self.rng.randrange(SAMPLE) == 0

    def _segment(self, document: dict[str, Any]) -> list[int]:
        """Where the evaluation date falls among the dates on which the pack's law changes:
        the engine's own cache key (``RulePack.plan``), one per requested action."""
        pack = load_catalog().get(document["pack"])
        kind = parse_kind(document["instrument"]["kind"])
        on = date.fromisoformat(document["as_of"])
        return [id(pack.plan(kind, action, on)) for action in document["instrument"]["actions"]]

"""The rule engine: each jurisdiction's law as a YAML rule pack, evaluated Catala-style (base
rules with labelled exceptions, a conflict is an error, no rule in force is an error) on top
of the federal layer. ``docs/rules.md`` is the guide; ``docs/adr/0002-rule-engine.md`` says why.

Map of the package, in the order data flows:

- ``source``      YAML with line numbers; :class:`~source.Node` fails with ``file:line: key:``
- ``tables``      named, dated tables (offense lists) with a citation per entry
- ``conditions``  the nodes of a rule's ``when``, compiled to closures, explaining failures
- ``syntax``      the YAML of a ``when``: the closed set of operations
- ``schema``      the pack format: versions, rules, duties, strictly parsed
- ``request``     :class:`EvaluationRequest` read from the ``rules evaluate`` JSON; ``Facts``
- ``plan``        compiled rules and the per-(kind, action, date) plan that resolves them
- ``pack``        :class:`RulePack`: a pack's versions stacked on its layers
- ``loader``      file texts to packs, gathered in a :class:`Catalog`
- ``engine``      :func:`evaluate`
- ``explain``     :class:`Evaluation`: statuses, reasons, overridden rules, ``missing``
- ``english``     the evaluation in legal English, for the screen, the API and the letter
- ``phrasebook``  the words of every fact, value, list and action that ``english`` uses
- ``vectors``     the YAML test vectors beside each pack and the rule-coverage check
"""

from lexdesk.domain.rules.engine import evaluate
from lexdesk.domain.rules.errors import ConflictError, NoRuleInForce, PackError
from lexdesk.domain.rules.explain import Evaluation
from lexdesk.domain.rules.loader import Catalog, build_catalog
from lexdesk.domain.rules.pack import RulePack
from lexdesk.domain.rules.request import EvaluationRequest

__all__ = [
    "Catalog",
    "ConflictError",
    "Evaluation",
    "EvaluationRequest",
    "NoRuleInForce",
    "PackError",
    "RulePack",
    "build_catalog",
    "evaluate",
]

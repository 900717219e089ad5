"""Use cases: one function per verb, each inside a unit of work that rolls back unless
committed. Permissions are checked here, in one place.

- ``ports``             the protocols adapters implement (unit of work, repositories, clock, ...)
- ``context``           the ``Desk`` every use case is given; the acting user
- ``agencies``          register agencies and users
- ``persons``           book people into custody, with charges and convictions
- ``instruments``       issue, acknowledge, determine, withdraw (re-exports escalation)
- ``escalation``        escalate along the ladder; lapse what was not answered in time
- ``instrument_access`` load an instrument for an actor, check sides, record, due dates
- ``evaluation``        the rule evaluation a determination rests on
- ``disclosures``       what a requesting agency may see of a person
- ``accounts``          sign-in with password and TOTP, sessions; ``account_admin`` and
                        ``api_tokens`` for administrators and systems
- ``audit``             the hash-chained audit trail: record, verify, checkpoint
- ``demo``              the demo: ``demo_story`` (2019-2020) and ``demo_today``
"""

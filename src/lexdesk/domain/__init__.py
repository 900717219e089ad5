"""The pure domain of lexdesk: no I/O, no clock, no framework.

Map of the package:

- ``errors``       the domain's exceptions, each saying what was wrong and what to do
- ``ids``          identifier generation
- ``agencies``     agencies (tenants), their kinds and deadline policies; users and roles
- ``persons``      people in custody: identifiers, custody, charges, convictions
- ``vocabulary``   instrument kinds, requested actions, warrants, determination outcomes
- ``lifecycle``    the transition table and the escalation ladder
- ``instruments``  the instrument entity with its clock and its events
- ``cases``        the case aggregate: the chain of instruments about one person
- ``calendar``     versioned business-day calendars (US federal plus a state)
- ``deadlines``    due dates that explain how they were computed
- ``rules``        the rule engine and its pack schema (the law as data)
- ``audit``        the tamper-evident audit chain: canonical entries, verification, checkpoints
- ``credentials``  passwords, TOTP, tokens, lockout and session timing rules
"""

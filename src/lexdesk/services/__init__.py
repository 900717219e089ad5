"""Use cases: one function per verb, each inside a unit of work that rolls back unless
committed. Permissions are checked here, in one place.

- ``ports``        the protocols adapters implement (unit of work, repositories, clock, ...)
- ``agencies``     register agencies and users
- ``persons``      book people into custody, record charges and convictions
- ``instruments``  issue, acknowledge, determine, withdraw (and re-exports escalation)
- ``escalation``   escalate along the ladder; lapse what was not answered in time
- ``instrument_access`` loading an instrument for an actor, sides, audit entries, due dates
- ``demo``         the fictional demo story, told through the same services
"""

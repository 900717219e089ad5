"""Adapters: the I/O that implements the services' ports.

- ``orm``            the tables (SQLAlchemy Core), shared by both databases
- ``database``       engines for SQLite and PostgreSQL, with their connection settings
- ``repository``     repositories per aggregate, mapping rows onto domain objects
- ``unit_of_work``   the unit of work that rolls back unless committed
- ``clock``          the system clock
- ``rule_packs``     the rule packs read from package data
- ``migrations``     running Alembic from code
"""

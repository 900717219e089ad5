"""Synthetic records for benchmarks, written as the application would have written them
(``national``: ``lexdesk seed national``)."""

from lexdesk.adapters.seeding.national import NationalPlan, SeedReport, seed_national

__all__ = ["NationalPlan", "SeedReport", "seed_national"]

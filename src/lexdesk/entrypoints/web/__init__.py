"""The web application: server-rendered pages (Jinja2, U.S. Web Design System, htmx).

Modules, from the plumbing up:

- ``sessions``: the session cookie, login-ticket cookie and the CSRF token bound to them.
- ``pages``: templates, the signed-in ``Viewer``, CSRF-checked ``Posted`` forms, headers.
- ``auth``: sign in (AC-8 notice, password, TOTP, first-time enrolment) and sign out.
- ``confirm``: "Confirm it's you" before privileged pages and forms; changing one's password.
- ``homes``: each party's home, its lists (``queries.desk_lists``) filtered, searched, sorted,
  paged, counted and exported as CSV.
- ``work``: who of the agency works a case or instrument, the agency's notes, bulk acknowledge.
- ``casefile`` and ``cases``: the case page and the one-click transitions.
- ``determinations``: the rule engine's evaluation and the answer recorded on it.
- ``people``: a custodial agency's people, their stays, booking, release, transfer.
- ``forms`` and ``issuing``: issuing requests and escalating, with a confirmation step.
- ``admin`` and ``audit_log``: users, API tokens, agencies; the audit log for auditors;
  ``account_review``: the annual review of an agency's accounts, as a page and a CSV.
- ``documents``: the signed PDF of an instrument or its answer; ``/verify``, public.
- ``notifications``: one's notifications, preferences, e-mail address and calendar feed;
  ``calendar``: the feed itself (``/calendar/{token}.ics``); ``webhooks``: an agency's webhook
  subscriptions and dead letters, for its administrators.
- ``transparency``: the published transparency reports, public (``/transparency``).

``mount(app, built)`` adds all of it to a FastAPI application; the assets under
``static/vendor`` are built by ``web/build.mjs`` (``make assets``), never fetched from a CDN.
"""

from __future__ import annotations

import fastapi
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

import lexdesk.bootstrap
from lexdesk.domain.errors import ConfirmationNeeded
from lexdesk.domain.vocabulary import a_or_an
from lexdesk.entrypoints.limiter import RateLimiter
from lexdesk.entrypoints.web import (
    account_review,
    admin,
    audit_log,
    auth,
    calendar,
    cases,
    confirm,
    determinations,
    documents,
    forms,
    homes,
    issuing,
    letterhead,
    notifications,
    paper,
    people,
    reports_admin,
    rules_pages,
    transparency,
    webhooks,
    work,
)
from lexdesk.entrypoints.web.pages import (
    HERE,
    PageRefused,
    SignInNeeded,
    Web,
    moment,
    present,
    refused,
    sign_in_needed,
    words,
)


def mount(app: fastapi.FastAPI, built: lexdesk.bootstrap.App) -> None:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["words"] = words
    templates.env.filters["words_pair"] = lambda value: (value, words(value))
    templates.env.filters["article"] = a_or_an
    templates.env.globals["limits"] = forms.LIMITS
    templates.env.globals["moment"] = moment
    templates.env.globals["present"] = present
    templates.env.globals["unread_count"] = notifications.unread_counter(built)
    app.state.lexdesk_web = Web(built, templates)
    if getattr(app.state, "verify_limiter", None) is None:  # shared with the API's, if mounted
        app.state.verify_limiter = RateLimiter(built.settings.verify_rate, 60.0)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="lexdesk-static")
    routers = (
        auth, confirm, homes, work, cases, determinations, issuing, paper, people,
        account_review, admin, audit_log,
    )  # fmt: skip
    # Last: ``/instruments/{id}`` (a notification's link) after ``/instruments/new``.
    for module in (
        *routers,
        rules_pages,
        notifications,
        webhooks,
        letterhead,
        reports_admin,
        calendar,
        documents,
        transparency,
    ):
        app.include_router(module.router, include_in_schema=False)
    app.add_exception_handler(SignInNeeded, sign_in_needed)  # type: ignore[arg-type]
    app.add_exception_handler(PageRefused, refused)  # type: ignore[arg-type]
    # The API answers its own errors inside its routes (api/errors.py): this reaches pages only.
    app.add_exception_handler(ConfirmationNeeded, confirm.confirm_first)  # type: ignore[arg-type]

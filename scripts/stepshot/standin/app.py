"""The stand-in's Starlette app: LinkedIn's settings path at LinkedIn's own URL paths, with the label files'
text, in one of two markups, under one variant.

There is no door LinkedIn does not have: a member signs in through the login form, changes the display
language on the language settings page, and turns switches on their pages. Every request is logged
(`StandIn.requests`) so tests can show the tool used nothing else. State (sessions, switches, languages)
lives in memory, per app; a new app starts with every switch On, as LinkedIn's defaults are.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..checkout import Checkout
from ..errors import BadInput
from ..locales import LOCALES
from .accounts import ACCOUNTS_BY_EMAIL, MEMBERS_BY_PHOTO, OTHER_MEMBERS, PHOTO_PREFIX, Account, avatar_svg
from .language import best_locale
from .sitemap import FEED, SiteMap, build
from .variants import SLOW_DELAY_SECONDS, Options, apply_to_sitemap, check_options, labels_shown

HERE = Path(__file__).parent
SESSION_COOKIE = "li_at"          # LinkedIn's session cookie name
LANG_COOKIE = "lang"              # mirrors the account's display language: v=2&lang=fr-fr
CONSENT_COOKIE = "li_gc"          # the cookie-consent answer
# LinkedIn's settings app serves its pages under both prefixes (the ads-sharing switch moved to /s/ in 2026).
SETTINGS_PREFIXES = ("/mypreferences/d/", "/mypreferences/s/")
LANGUAGE_PAGE = "/mypreferences/d/settings/language"
CHECKPOINT = "/checkpoint/challenge/AgHm5tQ1standin"
LOGIN_SUBMIT = {"linkedin": "/checkpoint/lg/login-submit", "neutral": "/login"}
# How long the settings app's data requests take: LinkedIn renders its settings after the page loads.
RENDER_DELAY_SECONDS = 0.25
SAVE_DELAY_SECONDS = 0.3


@dataclass
class State:
    sessions: dict[str, str] = field(default_factory=dict)              # token -> account email
    switches: dict[str, dict[str, bool]] = field(default_factory=dict)  # email -> setting path -> on
    languages: dict[str, str] = field(default_factory=dict)             # email -> locale code

    def switch(self, email: str, path: str) -> bool:
        return self.switches.get(email, {}).get(path, True)  # LinkedIn's default: On


class Delay:
    """ASGI middleware of the `slow` variant: every HTTP response starts this many seconds late."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


class RequestLog:
    """ASGI middleware: every request's method and path, in order, for tests to read."""

    def __init__(self, app, log: list):
        self.app = app
        self.log = log

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.log.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


async def json_body(request: Request) -> dict | None:
    """The request's JSON object, or None when it is not one."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return None
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def safe_next(target: str | None) -> str:
    """Only paths on this server: never an open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return FEED


def lang_cookie(locale: str) -> str:
    return f"v=2&lang={LOCALES[locale].browser.lower()}"


class StandIn:
    def __init__(self, checkout: Checkout, options: Options):
        self.options = options
        self.markup = options.markup
        self.variant = options.variant
        project = checkout.project()
        self.labels = labels_shown(project, self.variant)
        self.locales = list(self.labels)
        self.sitemap: SiteMap = apply_to_sitemap(build(project.flow, project.flow_path), self.variant)
        self.state = State()
        self.requests: list[tuple[str, str]] = []
        self.templates = Jinja2Templates(directory=[HERE / "templates" / self.markup, HERE / "templates" / "shared"])

    # ---- who and which language ----

    def account(self, request: Request) -> Account | None:
        if self.variant == "logged-out":
            return None  # the session expired: no cookie is ever honoured
        email = self.state.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        return ACCOUNTS_BY_EMAIL.get(email) if email else None

    def locale(self, request: Request, account: Account | None) -> str:
        """A member's pages are in the account's display language (never Accept-Language); signed-out
        pages follow the browser."""
        if account is not None:
            if self.variant == "language-ignored":
                return account.language
            return self.state.languages.get(account.email, account.language)
        return best_locale(request.headers.get("accept-language"), self.locales)

    def context(self, request: Request, account: Account | None, **extra) -> dict:
        locale = self.locale(request, account)
        return {
            "locale": locale,
            "dir": "rtl" if LOCALES[locale].rtl else "ltr",
            "t": self.labels[locale],
            "account": account,
            "others": OTHER_MEMBERS,
            "sitemap": self.sitemap,
            "restyled": self.variant == "restyled",
            "consent_banner": self.variant == "cookie-banner" and CONSENT_COOKIE not in request.cookies,
            "languages": [(LOCALES[code].linkedin, LOCALES[code].name) for code in self.locales],
            "current_language": LOCALES[locale].linkedin,
            "late_leak": self.variant == "late-personal-data",
            "switch_redrawn": self.variant == "switch-redrawn",
            "css_escaped": lambda text: "".join(f"\\{ord(ch):x} " for ch in text),
            **extra,
        }

    def render(self, request: Request, template: str, account: Account | None, status: int = 200,
               **extra) -> Response:
        response = self.templates.TemplateResponse(request, template, self.context(request, account, **extra),
                                                   status_code=status)
        if account is not None:
            response.set_cookie(LANG_COOKIE, lang_cookie(self.locale(request, account)), path="/", samesite="lax")
        return response

    def signed_in(self, request: Request) -> Account | Response:
        """The account, or the redirect a signed-out member's document request gets."""
        account = self.account(request)
        if account is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?session_redirect={quote(path, safe='')}", status_code=302)
        return account

    def start_session(self, response: Response, account: Account) -> None:
        token = secrets.token_urlsafe(24)
        self.state.sessions[token] = account.email
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/")

    # ---- sign-in ----

    async def home(self, request: Request) -> Response:
        return RedirectResponse(FEED, status_code=302)

    async def login_form(self, request: Request) -> Response:
        target = safe_next(request.query_params.get("session_redirect"))
        if self.account(request) is not None:
            return RedirectResponse(target, status_code=302)
        return self.render(request, "login.html", None, next=target, error=False,
                           action=LOGIN_SUBMIT[self.markup])

    async def login(self, request: Request) -> Response:
        form = await request.form()
        target = safe_next(form.get("session_redirect"))
        account = ACCOUNTS_BY_EMAIL.get(str(form.get("session_key", "")).strip().lower())
        if account is None or form.get("session_password") != account.password:
            return self.render(request, "login.html", None, status=401, next=target, error=True,
                               action=LOGIN_SUBMIT[self.markup])
        response = RedirectResponse(target, status_code=303)
        self.start_session(response, account)
        return response

    # ---- pages ----

    async def feed(self, request: Request) -> Response:
        account = self.signed_in(request)
        if isinstance(account, Response):
            return account
        return self.render(request, "feed.html", account)

    def settings_page(self, path: str):
        """("language", None), ("page", Page) or None for a path of the settings app."""
        if path.rstrip("/") == LANGUAGE_PAGE:
            return "language", None
        page = self.sitemap.page(path)
        return ("page", page) if page is not None else None

    async def settings_document(self, request: Request) -> Response:
        path = request.url.path
        found = self.settings_page(path)
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        account = self.signed_in(request)
        if isinstance(account, Response):
            return account
        if self.markup == "linkedin":
            # The settings app: the document is a shell; its content arrives by a data request (page_data).
            return self.render(request, "settings.html", account, path=path)
        if self.checkpointed(path):
            return RedirectResponse(f"{CHECKPOINT}?original_referer={quote(path, safe='')}", status_code=302)
        if self.variant == "server-error" and self.is_error_page(path):
            return self.render(request, "error.html", account, status=500)
        return self.render(request, "settings.html", account, path=path, **self.page_context(found, account))

    def checkpointed(self, path: str) -> bool:
        """The checkpoint variant stops the settings pages, all but the language setting: so a walk meets
        it in the middle of a step, not before its first one."""
        return self.variant == "checkpoint" and path.rstrip("/") != LANGUAGE_PAGE

    def is_error_page(self, path: str) -> bool:
        privacy = self.sitemap.page_titled("data_privacy")
        return privacy is not None and path.rstrip("/") == privacy.path

    def page_context(self, found, account: Account) -> dict:
        kind, page = found
        if kind == "language":
            return {"kind": "language", "page": None, "on": None, "parent": None, "switches": {}}
        switches = {link.href: self.state.switch(account.email, link.href.rstrip("/"))
                    for link in page.links() + self.sitemap.nav}
        return {"kind": "setting" if page.switch else "category", "page": page, "switches": switches,
                "on": self.state.switch(account.email, page.path) if page.switch else None,
                "parent": self.sitemap.page(page.parent) if page.parent else None}

    async def page_data(self, request: Request) -> Response:
        """The linkedin markup's data request for one settings page: its content as an HTML fragment."""
        path = urlsplit(request.query_params.get("path", "")).path
        account = self.account(request)
        if account is None:
            return JSONResponse({"status": 401, "redirect": f"/login?session_redirect={quote(path, safe='')}"},
                                status_code=401)
        if self.checkpointed(path):
            return JSONResponse({"status": 403, "redirect": f"{CHECKPOINT}?original_referer={quote(path, safe='')}"},
                                status_code=403)
        await asyncio.sleep(RENDER_DELAY_SECONDS)
        found = self.settings_page(path)
        if found is None:
            return JSONResponse({"status": 404}, status_code=404)
        if self.variant == "server-error" and self.is_error_page(path):
            return JSONResponse({"status": 500}, status_code=500)
        context = self.context(request, account, path=path, **self.page_context(found, account))
        html = self.templates.get_template("content.html").render(context)
        title = self.labels[context["locale"]].get(found[1].title, "") if found[1] else ""
        return JSONResponse({"html": html, "title": title})

    async def save_switch(self, request: Request) -> Response:
        """Both markups save a switch with a JSON request: {"on": true|false}."""
        path = urlsplit(request.query_params.get("path", "") or request.url.path).path.rstrip("/")
        page = self.sitemap.page(path)
        if page is None or page.switch is None:
            return JSONResponse({"error": "unknown setting"}, status_code=404)
        account = self.account(request)
        if account is None:
            return JSONResponse({"status": 401, "redirect": "/login"}, status_code=401)
        if self.checkpointed(path):
            return JSONResponse({"status": 403, "redirect": CHECKPOINT}, status_code=403)
        body = await json_body(request)
        if body is None or not isinstance(body.get("on"), bool):
            return JSONResponse({"error": 'expected JSON {"on": true|false}'}, status_code=400)
        await asyncio.sleep(SAVE_DELAY_SECONDS)
        if self.variant == "save-rejected":
            return JSONResponse({"error": "could not save"}, status_code=422)
        self.state.switches.setdefault(account.email, {})[page.path] = body["on"]
        return JSONResponse({"on": body["on"]})

    async def save_language(self, request: Request) -> Response:
        """The display-language setting: JSON {"interfaceLocale": "fr_FR"} (linkedin) or a form (neutral)."""
        account = self.account(request)
        if account is None:
            return JSONResponse({"status": 401}, status_code=401)
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await json_body(request) or {}
            value = body.get("interfaceLocale")
        else:
            value = (await request.form()).get("interfaceLocale")
        locale = next((code for code in self.locales if LOCALES[code].linkedin == value), None)
        if locale is None:
            return JSONResponse({"error": f"unknown interfaceLocale {value!r}"}, status_code=400)
        self.state.languages[account.email] = locale
        if request.method == "POST" and not request.headers.get("content-type", "").startswith("application/json"):
            response = RedirectResponse(LANGUAGE_PAGE, status_code=303)
        else:
            response = JSONResponse({"interfaceLocale": value})
        response.set_cookie(LANG_COOKIE, lang_cookie(self.locale(request, account)), path="/", samesite="lax")
        return response

    async def checkpoint(self, request: Request) -> Response:
        return self.render(request, "checkpoint.html", self.account(request))

    async def photo(self, request: Request) -> Response:
        member = MEMBERS_BY_PHOTO.get(request.path_params["photo_id"])
        if member is None:
            return PlainTextResponse("Not Found", status_code=404)
        return Response(avatar_svg(member), media_type="image/svg+xml",
                         headers={"Cache-Control": "max-age=3600"})

    def routes(self) -> list:
        settings_paths = [Route(prefix + "{kind:str}/{name:path}", endpoint, methods=[method])
                          for prefix in SETTINGS_PREFIXES
                          for endpoint, method in ((self.settings_document, "GET"), (self.save_switch, "POST"))]
        return [
            Route("/", self.home),
            Route("/login", self.login_form, methods=["GET"]),
            Route(LOGIN_SUBMIT[self.markup], self.login, methods=["POST"]),
            Route(FEED, self.feed),
            Route(LANGUAGE_PAGE, self.save_language, methods=["POST"]),
            *settings_paths,
            Route("/voyager/api/settings/page", self.page_data),
            Route("/voyager/api/settings/switch", self.save_switch, methods=["POST"]),
            Route("/mysettings-api/settingsApiSettings/interfaceLocale", self.save_language, methods=["PUT"]),
            Route(CHECKPOINT, self.checkpoint),
            Route(PHOTO_PREFIX + "{photo_id:str}/{rest:path}", self.photo),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]


def create_app(checkout: Checkout, markup: str = "linkedin", variant: str | None = None,
               delay: float | None = None) -> Starlette:
    """The stand-in in one markup under one variant. delay: seconds per response for `slow`."""
    options = check_options(markup, variant)
    if delay is not None and variant != "slow":
        raise BadInput(f"--delay: {delay}: only the slow variant delays responses")
    standin = StandIn(checkout, options)
    middleware = [Middleware(RequestLog, log=standin.requests)]
    if variant == "slow":
        middleware.append(Middleware(Delay, seconds=SLOW_DELAY_SECONDS if delay is None else delay))
    app = Starlette(routes=standin.routes(), middleware=middleware)
    app.state.standin = standin
    return app


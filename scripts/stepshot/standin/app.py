"""The stand-in's Starlette app: LinkedIn's settings path at LinkedIn's own URL paths, with the label files' text.

Pages and roles follow the contract in ARCHITECTURE.md ("The stand-in"). State (sessions, switches,
languages) lives in memory, per app.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import paths
from ..errors import BadInput
from ..locales import LOCALES
from ..model import load_project
from .account import ACCOUNTS, TEST_ACCOUNT, Account, avatar_svg
from .language import best_locale
from .variants import SLOW_DELAY_SECONDS, check_variant, labels_shown

HERE = Path(__file__).parent
SESSION_COOKIE = "standin_session"
CONSENT_COOKIE = "standin_consent"
FEED = "/feed/"
CATEGORY = "/mypreferences/d/categories/"
SETTING = "/mypreferences/d/settings/"
CHECKPOINT = "/checkpoint/challenge/verify-standin"


@dataclass(frozen=True)
class Link:
    href: str
    label: str  # label key of the link text


@dataclass(frozen=True)
class Setting:
    slug: str
    title: str            # label key of the h1
    switch: str           # label key naming the switch
    question: str | None  # label key of the text under the h1


SETTINGS = {s.slug: s for s in [
    Setting("data-for-ai-improvement", "ai_setting", "ai_toggle", "ai_question"),
    Setting("data-sharing-with-affiliates-and-partners", "ads_affiliates", "ads_affiliates", None),
    Setting("research", "research", "research", None),
]}
CATEGORY_TITLES = {"account": "settings_mobile", "privacy": "data_privacy", "ads": "advertising_data"}
NAVIGATION = [Link(CATEGORY + "privacy", "data_privacy"), Link(CATEGORY + "ads", "advertising_data")]


@dataclass
class State:
    sessions: dict[str, str] = field(default_factory=dict)              # token -> account email
    switches: dict[str, dict[str, bool]] = field(default_factory=dict)  # email -> setting slug -> on
    languages: dict[str, str] = field(default_factory=dict)             # email -> locale code

    def switch(self, email: str, slug: str) -> bool:
        return self.switches.get(email, {}).get(slug, True)  # LinkedIn's default: On


class Delay:
    """ASGI middleware of the `slow` variant: every HTTP response starts this many seconds late."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            await asyncio.sleep(self.seconds)
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


class StandIn:
    def __init__(self, variant: str | None, root: Path | None):
        check_variant(variant)
        self.variant = variant
        project = load_project(paths.flow_file(root), paths.labels_dir(root))
        self.labels = labels_shown(project, variant)
        self.locales = list(self.labels)
        self.state = State()
        self.templates = Jinja2Templates(directory=HERE / "templates")
        moved = variant == "setting-moved"
        ai_link = Link(SETTING + "data-for-ai-improvement", "ai_setting")
        self.category_links = {
            "privacy": ([] if moved else [ai_link]) + [Link(SETTING + "research", "research")],
            "ads": [Link(SETTING + "data-sharing-with-affiliates-and-partners", "ads_affiliates")]
                   + ([ai_link] if moved else []),
        }
        # a setting's page links back to the category page that lists it
        self.setting_parent = {link.href.removeprefix(SETTING): category
                               for category, links in self.category_links.items() for link in links}

    # ---- who and which language ----

    def account(self, request: Request) -> Account | None:
        if self.variant == "logged-out":
            return None  # the session expired: no cookie is ever honoured
        email = self.state.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        return ACCOUNTS.get(email) if email else None

    def locale(self, request: Request, account: Account | None) -> str:
        chosen = self.state.languages.get(account.email) if account else None
        return chosen or best_locale(request.headers.get("accept-language"), self.locales)

    def render(self, request: Request, template: str, account: Account | None, status: int = 200,
               **context) -> Response:
        locale = self.locale(request, account)
        return self.templates.TemplateResponse(request, template, {
            "locale": locale,
            "dir": "rtl" if LOCALES[locale].rtl else "ltr",
            "t": self.labels[locale],
            "account": account,
            "restyled": self.variant == "restyled",
            "consent_needed": self.variant == "cookie-banner" and CONSENT_COOKIE not in request.cookies,
            **context,
        }, status_code=status)

    def signed_in(self, request: Request) -> Account | Response:
        """The account, or the redirect a signed-out (or checkpointed) member gets."""
        account = self.account(request)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if account is None:
            return RedirectResponse(f"/login?next={quote(path, safe='')}", status_code=302)
        if self.variant == "checkpoint" and path.startswith("/mypreferences/"):
            return RedirectResponse(f"{CHECKPOINT}?original_referer={quote(path, safe='')}", status_code=302)
        return account

    def start_session(self, response: Response, account: Account) -> None:
        token = secrets.token_urlsafe(24)
        self.state.sessions[token] = account.email
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/")

    # ---- pages ----

    async def home(self, request: Request) -> Response:
        return RedirectResponse(FEED, status_code=302)

    async def login_form(self, request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        if self.account(request) is not None:
            return RedirectResponse(target, status_code=302)
        return self.render(request, "login.html", None, next=target, error=False)

    async def login(self, request: Request) -> Response:
        form = await request.form()
        target = safe_next(form.get("next"))
        account = ACCOUNTS.get(str(form.get("email", "")).strip().lower())
        if account is None or form.get("password") != account.password:
            return self.render(request, "login.html", None, status=401, next=target, error=True)
        response = RedirectResponse(target, status_code=303)
        self.start_session(response, account)
        return response

    async def feed(self, request: Request) -> Response:
        account = self.signed_in(request)
        if isinstance(account, Response):
            return account
        return self.render(request, "feed.html", account)

    async def category(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in CATEGORY_TITLES:
            return PlainTextResponse("Not Found", status_code=404)
        account = self.signed_in(request)
        if isinstance(account, Response):
            return account
        if self.variant == "server-error" and name == "privacy":
            return self.render(request, "error.html", account, status=500)
        return self.render(
            request, f"{name}.html", account, current=name, page_title=CATEGORY_TITLES[name], navigation=NAVIGATION,
            links=self.category_links.get(name, []),
            back=None if name == "account" else Link(CATEGORY + "account", "settings_mobile"),
        )

    async def setting(self, request: Request) -> Response:
        setting = SETTINGS.get(request.path_params["slug"])
        if setting is None:
            return PlainTextResponse("Not Found", status_code=404)
        account = self.signed_in(request)
        if isinstance(account, Response):
            return account
        parent = self.setting_parent[setting.slug]
        return self.render(
            request, "setting.html", account, current=parent, page_title=setting.title, navigation=NAVIGATION,
            setting=setting,
            on=self.state.switch(account.email, setting.slug),
            back=Link(CATEGORY + parent, CATEGORY_TITLES[parent]),
        )

    async def set_switch(self, request: Request) -> Response:
        setting = SETTINGS.get(request.path_params["slug"])
        if setting is None:
            return JSONResponse({"error": "unknown setting"}, status_code=404)
        account = self.signed_in(request)
        if isinstance(account, Response):
            return account
        body = await json_body(request)
        if body is None or not isinstance(body.get("on"), bool):
            return JSONResponse({"error": 'expected JSON {"on": true|false}'}, status_code=400)
        self.state.switches.setdefault(account.email, {})[setting.slug] = body["on"]
        return JSONResponse({"on": body["on"]})

    async def checkpoint(self, request: Request) -> Response:
        return self.render(request, "checkpoint.html", self.account(request))

    async def photo(self, request: Request) -> Response:
        return Response(avatar_svg(TEST_ACCOUNT), media_type="image/svg+xml")

    # ---- automation endpoints (not LinkedIn's) ----

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def automation_session(self, request: Request) -> Response:
        response = JSONResponse({"name": TEST_ACCOUNT.name, "email": TEST_ACCOUNT.email})
        self.start_session(response, TEST_ACCOUNT)
        return response

    async def reset(self, request: Request) -> Response:
        self.state.switches.clear()
        return JSONResponse({"reset": True})

    async def set_language(self, request: Request) -> Response:
        account = self.account(request)
        if account is None:
            return JSONResponse({"error": "login required"}, status_code=401)
        body = await json_body(request)
        locale = body.get("locale", "") if body is not None else ""
        if locale is None:
            self.state.languages.pop(account.email, None)
        elif locale in self.locales:
            self.state.languages[account.email] = locale
        else:
            return JSONResponse({"error": f"expected JSON {{\"locale\": one of {self.locales} or null}}"},
                                status_code=400)
        return JSONResponse({"locale": locale})

    def routes(self) -> list:
        return [
            Route("/", self.home),
            Route("/login", self.login_form, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route(FEED, self.feed),
            Route(CATEGORY + "{name}", self.category),
            Route(SETTING + "{slug}", self.setting, methods=["GET"]),
            Route(SETTING + "{slug}", self.set_switch, methods=["POST"]),
            Route(CHECKPOINT, self.checkpoint),
            Route(TEST_ACCOUNT.photo_path, self.photo),
            Route("/__standin/health", self.health),
            Route("/__standin/session", self.automation_session, methods=["POST"]),
            Route("/__standin/reset", self.reset, methods=["POST"]),
            Route("/__standin/language", self.set_language, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]


def create_app(variant: str | None = None, root: Path | None = None, delay: float | None = None) -> Starlette:
    """The stand-in under one variant. delay: seconds per response for `slow` (default SLOW_DELAY_SECONDS)."""
    standin = StandIn(variant, root)
    if delay is not None and variant != "slow":
        raise BadInput(f"--delay: {delay}: only the slow variant delays responses")
    middleware = []
    if variant == "slow":
        middleware.append(Middleware(Delay, seconds=SLOW_DELAY_SECONDS if delay is None else delay))
    app = Starlette(routes=standin.routes(), middleware=middleware)
    app.state.standin = standin
    return app

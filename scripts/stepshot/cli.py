"""The `stepshot` command: a thin layer that parses options, calls the library and maps errors to exit codes.

Exit codes: 0 fine, 1 drift, 2 bad input or usage, 3 target unusable, 4 this machine lacks something
(no Chromium, a full disk), 130 interrupted (see errors.py). The environment is read here, once.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .checkout import Checkout
from .errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EXIT_INTERRUPTED, BadInput, StepshotError
from .interrupts import stop_on_sigterm
from .locales import LOCALES, VIEWPORTS
from .settings import Settings


class Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message to one line."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"stepshot: {message}\n")


# ---- options shared by several commands, defined once ----

def add_locale_option(p):
    p.add_argument("--locale", action="append", metavar="L", choices=list(LOCALES),
                   help="limit to this locale (repeatable; default: all)")


def add_flow_options(p):
    p.add_argument("--flow-file", type=Path, default=None, help="flow file (default: screenshots/flow.yml)")
    p.add_argument("--labels-dir", type=Path, default=None, help="label files (default: screenshots/labels)")


def add_target_options(p):
    p.add_argument("--target", default="stand-in", metavar="T",
                   help="stand-in (default), stand-in:<variant>, or a base URL such as https://www.linkedin.com")
    p.add_argument("--auth", type=Path, default=None, metavar="FILE",
                   help="saved login (Playwright storage state) for a URL target; default: $STEPSHOT_AUTH")


def add_viewport_option(p):
    p.add_argument("--viewport", action="append", metavar="V", choices=list(VIEWPORTS),
                   help="limit to this viewport (repeatable; default: both)")


def _ranged(convert, low: float, high: float, noun: str, out_of_range: str):
    """An option's value read as a number between low and high; one-line usage errors naming the value."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: not {noun}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text}: {out_of_range}")
        return value
    return parse


_positive = _ranged(int, 1, float("inf"), "a whole number", "must be 1 or more")
_port = _ranged(int, 0, 65535, "a port number", "not a port number (0 to 65535)")
_seconds = _ranged(float, 0, 60, "a number of seconds", "between 0 and 60 seconds")
_share = _ranged(float, 0, 1, "a number", "must be between 0 and 1")


def _sessions(text: str) -> int:
    from .run import MAX_PARALLEL

    value = _positive(text)
    if value > MAX_PARALLEL:
        raise argparse.ArgumentTypeError(f"{text}: at most {MAX_PARALLEL}")
    return value


def add_sessions_option(p):
    p.add_argument("--parallel-sessions", type=_sessions, default=None, metavar="N",
                   help="browser sessions at once. A live target: N sessions of its one login (default 1: one "
                        "session per login, as a person uses it). The stand-in: N of its test accounts, one "
                        "session each (default: four per core, at most 8)")


def load_project_from(args, checkout: Checkout):
    from .reader import load_project

    return load_project(args.flow_file or checkout.flow_file, args.labels_dir or checkout.labels_dir,
                        getattr(args, "locale", None))


# ---- commands ----

def cmd_browser(args, checkout: Checkout) -> int:
    """Print which Chromium stepshot will use.

    Example: stepshot browser
    """
    from playwright.sync_api import sync_playwright

    from .browser import which_chromium

    with sync_playwright() as pw:
        print(which_chromium(pw, checkout.settings))
    return 0


def cmd_validate(args, checkout: Checkout) -> int:
    """Check the flow file and every label file; print one line per problem.

    Example: stepshot validate --locale fr
    """
    project = load_project_from(args, checkout)
    steps = len(list(project.flow.steps()))
    print(f"ok: {steps} steps in {len(project.flow.flows)} flows, {len(project.labels)} locales")
    return 0


def cmd_check(args, checkout: Checkout) -> int:
    """Walk every flow in every locale and viewport; report steps whose labels or pages have drifted.

    Changes no setting of the account. Writes build/stepshot/check.json and check.md; exit 0 all fine,
    1 a step is broken, 3 target unusable.
    Example: stepshot check --target stand-in:label-renamed --locale en --viewport desktop
    Example: stepshot check --target https://www.linkedin.com --auth ~/.config/stepshot/linkedin.auth.json
    """
    from .check import run_check, summary_lines

    project = load_project_from(args, checkout)
    report = run_check(checkout, args.target, project, args.locale, args.viewport, auth=args.auth,
                       parallel_sessions=args.parallel_sessions)
    for line in summary_lines(report, checkout.reports):
        print(line)
    return report.exit_code


def cmd_learn(args, checkout: Checkout) -> int:
    """Read one locale's labels off the target's pages by the flow's language-neutral anchors.

    Walks the flow in that interface language without using its label texts (links by the address they
    lead to, the setting page's one switch, headings and text by their place on the page), flips each
    switch and back on a test account to read its state words, and proposes a label file: for a locale
    without one, screenshots/labels/<L>.yml; else build/stepshot/learn/<L>.yml and <L>.diff. Writes
    build/stepshot/learn/<L>.md; against linkedin.com also records the labels in verified.json.
    Exit 0 every flow read, 1 a flow could not be read to its end, 3 target unusable.
    Example: stepshot learn --locale pl --locale tr
    Example: stepshot learn --locale de --target https://www.linkedin.com --auth ~/.config/stepshot/linkedin.auth.json
    """
    from .learn import run_learn, summary_lines
    from .reader import load_project

    unknown = [code for code in args.locale if code not in LOCALES]
    if unknown:
        raise BadInput(f"--locale: {unknown[0]}: unknown locale (known: {', '.join(LOCALES)}; "
                       "add one with stepshot new-locale)")
    locales = list(dict.fromkeys(args.locale))
    labels_dir = args.labels_dir or checkout.labels_dir
    with_file = [code for code in locales if (labels_dir / f"{code}.yml").is_file()]  # the others: read from scratch
    project = load_project(args.flow_file or checkout.flow_file, labels_dir, with_file or ["en"])
    results = run_learn(checkout, args.target, project, locales, args.viewport, auth=args.auth)
    for result in results:
        for line in summary_lines(result):
            print(line)
    return max(result.exit_code for result in results)


def add_learn_options(p):
    p.add_argument("--locale", action="append", required=True, metavar="L",
                   help="the interface language to read (repeatable)")


def cmd_new_locale(args, checkout: Checkout) -> int:
    """Add a language everywhere it must be: locale list, mkdocs.yml, site strings, pages, labels, links.

    The pages are copies of the English ones marked awaiting translation (`stepshot translations` lists
    them), the label file holds the English texts marked unverified (read LinkedIn's with `stepshot learn`),
    and the links contract gains the new pages' deep links. Nothing is written if any value is bad.
    Example: stepshot new-locale pl --name Polski --browser pl-PL --linkedin pl_PL
    Example: stepshot new-locale fa --name فارسی --browser fa-IR --linkedin fa_IR --rtl
    """
    from .locales import Locale
    from .new_locale import add_locale, check_values
    from .reader import load_flow
    from .site import deeplinks, pages

    browser = args.browser or args.code
    language, _, region = browser.partition("-")
    linkedin = args.linkedin or f"{language}_{(region or language).upper()}"
    check_values(args.code, args.name, browser, linkedin)
    planned = add_locale(checkout, Locale(args.code, browser, args.name, linkedin, rtl=args.rtl))
    docs = checkout.docs
    plans = pages.plan_all(docs, load_flow(checkout.flow_file))
    contract, _, new = deeplinks.contract_status(docs, plans)
    deeplinks.write_contract(deeplinks.contract_file(docs),
                             deeplinks.updated_contract(contract, deeplinks.published_links(docs, plans)))
    print(f"added {args.code} ({args.name}): {len(planned.files)} files written, {len(new)} links published")
    print(f"next: translate docs/{args.code}/ (stepshot translations --locale {args.code} lists what is left), "
          f"docs/site-strings.yml's {args.code} block and mkdocs.yml's entry; read the labels with "
          f"stepshot learn --locale {args.code} --target https://www.linkedin.com")
    return 0


def add_new_locale_options(p):
    p.add_argument("code", help="the locale code: language, then region or script (pl, zh-TW)")
    p.add_argument("--name", required=True, help="the language's own name, for the language switcher")
    p.add_argument("--browser", default=None, help="the browser's locale (default: the code)")
    p.add_argument("--linkedin", default=None,
                   help="its value in LinkedIn's display-language list (default: language_REGION from the code)")
    p.add_argument("--rtl", action="store_true", help="written right to left")


def cmd_stand_in(args, checkout: Checkout) -> int:
    """Serve the local stand-in of LinkedIn's settings pages on 127.0.0.1 until Ctrl+C.

    Example: stepshot stand-in --port 8001 --variant cookie-banner
    Example: stepshot stand-in --markup neutral
    """
    from .standin.accounts import TEST_ACCOUNTS
    from .standin.server import serve

    def ready(url: str) -> None:
        variant = f", variant {args.variant}" if args.variant else ""
        print(f"stand-in ({args.markup} markup{variant}): {url}/feed/", flush=True)
        for account in TEST_ACCOUNTS[:2]:
            print(f"test account: {account.email} / {account.password}", flush=True)
        print("(Ctrl+C stops)", flush=True)

    try:
        serve(checkout, args.port, args.markup, args.variant, delay=args.delay, on_ready=ready)
    except KeyboardInterrupt:
        pass
    print("stand-in stopped")
    return 0


def add_stand_in_options(p):
    from .standin.variants import DEFAULT_MARKUP, MARKUPS, VARIANTS

    p.add_argument("--port", type=_port, default=8001, metavar="N",
                   help="port on 127.0.0.1 (default 8001; 0: any free port)")
    p.add_argument("--markup", choices=MARKUPS, default=DEFAULT_MARKUP,
                   help=f"how the pages are built (default {DEFAULT_MARKUP})")
    p.add_argument("--variant", choices=list(VARIANTS), metavar="NAME",
                   help=f"drift variant: {', '.join(VARIANTS)}")
    p.add_argument("--delay", type=_seconds, default=None, metavar="S",
                   help="seconds each response waits under --variant slow (default 1.5)")


def cmd_capture(args, checkout: Checkout) -> int:
    """Take the annotated screenshot of every step in every locale and viewport; report what changed.

    Writes screenshots/<locale>/<viewport>/<step>.png (only when its pixels changed) and
    screenshots/manifest.json, then build/stepshot/capture.json and capture.md.
    Exit 0 fine, 1 a step is broken (its previous image kept, marked stale), 3 target unusable.
    Example: stepshot capture --target stand-in:label-renamed --locale en --viewport desktop
    """
    from .capture import CaptureOptions, run_capture
    from .capture_report import summary_line

    project = load_project_from(args, checkout)
    options = CaptureOptions(locales=args.locale or list(LOCALES), viewports=args.viewport, steps=args.step,
                             threshold=args.threshold, parallel_sessions=args.parallel_sessions)
    report = run_capture(checkout, args.target, project, options, auth=args.auth)
    print(summary_line(report))
    print(f"report: {checkout.reports / 'capture.md'}")
    return report.exit_code


def _step_id(text: str) -> str:
    from .schema import MAX_ID_LENGTH

    if len(text) > MAX_ID_LENGTH:
        raise argparse.ArgumentTypeError(f"{text[:20]}…: longer than {MAX_ID_LENGTH} characters (no step is)")
    return text


def add_capture_options(p):
    p.add_argument("--step", action="append", metavar="S", type=_step_id,
                   help="limit to this step id (repeatable; default: all)")
    p.add_argument("--threshold", type=_share, default=0.1, metavar="T",
                   help="per-pixel colour difference (0..1) above which a pixel counts as changed; "
                        "anti-aliasing is ignored either way (default 0.1)")


def cmd_login(args, checkout: Checkout) -> int:
    """Open a browser window to log into the test account by hand; save the login for --auth.

    Two-step verification and captchas work as usual. The file is private: it is never printed, and
    refused under screenshots/ or docs/. Keep it outside the repository.
    Example: stepshot login --auth ~/.config/stepshot/linkedin.auth.json
    """
    from .login import run_login

    run_login(checkout, args.auth, args.base_url)
    return 0


def add_login_options(p):
    from .login import DEFAULT_BASE_URL

    p.add_argument("--auth", type=Path, required=True, metavar="FILE",
                   help="where to save the login (Playwright storage state), e.g. ~/.config/stepshot/linkedin.auth.json")
    p.add_argument("--base-url", default=DEFAULT_BASE_URL, metavar="URL",
                   help=f"site to log into (default {DEFAULT_BASE_URL})")


def cmd_refresh(args, checkout: Checkout) -> int:
    """Capture in a git checkout, then decide: unchanged, changed, broken (drift) or blocked (target unusable).

    changed: the changed screenshots and manifest are committed on --branch (reset from HEAD; the current
    branch and screenshots/ are left as they were), with a pull-request title and body in --out.
    broken / blocked: an issue title and body in --out; nothing committed. Never pushes. Always one
    browser session per login (no --parallel-sessions).
    Writes --out/outcome.json (default --out: build/stepshot/refresh/ of the checkout).
    Exit 0 unchanged or changed, 1 broken, 3 blocked.
    --merge DIR... combines the --out folders of refreshes run per group of locales (shards) instead.
    Example: stepshot refresh --target stand-in:restyled --locale en --locale ar
    Example: stepshot refresh --merge shard-1/ shard-2/ --out build/stepshot/refresh
    """
    from .refresh import merge, refresh, summary_line

    if args.merge:
        if args.locale or args.viewport or args.auth or args.target != "stand-in":
            raise BadInput("--merge: combines finished refreshes; --target, --locale, --viewport and --auth "
                           "belong to the shard runs")
        outcome = merge(checkout.settings, args.merge, args.repo, args.branch, args.out)
    else:
        outcome = refresh(checkout.settings, args.repo, args.target, args.locale, args.viewport, args.auth,
                          args.branch, args.out)
    print(summary_line(outcome))
    return outcome.exit_code


def add_refresh_options(p):
    from .refresh import DEFAULT_BRANCH

    p.add_argument("--repo", type=Path, default=Path.cwd(), metavar="DIR",
                   help="the git checkout to work in (default: the current directory's)")
    p.add_argument("--branch", default=DEFAULT_BRANCH, metavar="NAME",
                   help=f"branch that receives the changed screenshots (default {DEFAULT_BRANCH})")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where outcome.json and the title and body files go (default: build/stepshot/refresh/)")
    p.add_argument("--merge", type=Path, nargs="+", metavar="DIR",
                   help="combine these refresh output folders (shards) instead of capturing")


def cmd_links(args, checkout: Checkout) -> int:
    """Compare docs/links-contract.json with the deep links the docs publish; exit 1 when they differ.

    A published link that disappears needs a redirect in the contract; a new one needs --update.
    Example: stepshot links --update
    """
    from .reader import load_flow
    from .site import deeplinks, pages

    docs = checkout.docs
    plans = pages.plan_all(docs, load_flow(checkout.flow_file))
    contract, dropped, new = deeplinks.contract_status(docs, plans)
    for line in dropped:
        print(line)
    if args.update and new:
        deeplinks.write_contract(deeplinks.contract_file(docs),
                                 deeplinks.updated_contract(contract, deeplinks.published_links(docs, plans)))
        print(f"added {len(new)} links to {deeplinks.contract_file(docs)}")
        contract, dropped, new = deeplinks.contract_status(docs, plans)
    for link in new:
        print(f"{deeplinks.contract_file(docs)}: links: {link} is published but not listed (run with --update)")
    print(f"{len(contract['links'])} links in the contract, {len(dropped)} dropped, {len(new)} not listed")
    return 1 if dropped or new else 0


def add_links_options(p):
    p.add_argument("--update", action="store_true",
                   help="add newly published links to the contract (never removes one)")


def cmd_translations(args, checkout: Checkout) -> int:
    """List translated pages that are missing or older than their English page; exit 1 when any.

    Each line names the page, the English version it records and the current one (its translation_of).
    Example: stepshot translations --locale fr
    """
    from .site import translations

    docs = checkout.docs
    rows = translations.all_freshness(docs, args.locale)
    outdated = [row for row in rows if row.outdated]
    for row in outdated:
        print(row.line(docs))
    print(f"{len(rows) - len(outdated)} of {len(rows)} translated pages are current")
    return 1 if outdated else 0


def cmd_bench(args, checkout: Checkout) -> int:
    """Time the capture against shot-scraper and a bare Playwright loop, and the site build per locale.

    Prints medians and the ratios ours / shot-scraper and ours / floor; profiles ours once when a target is
    missed; writes BENCHMARKS.md after a run of everything (or to --out). Takes a while: the full capture
    runs three ways, --repeat times each.
    Example: stepshot bench --repeat 3
    Example: stepshot bench --repeat 1 --locale en --skip-site
    """
    from .bench.run import BenchOptions, run_bench

    run_bench(checkout, BenchOptions(repeat=args.repeat, locales=args.locale, viewports=args.viewport,
                                     capture=not args.skip_capture, site=not args.skip_site,
                                     profile=not args.no_profile, out=args.out))
    return 0


def add_bench_options(p):
    p.add_argument("--repeat", type=_positive, default=3, metavar="N", help="rounds of each contender (default 3)")
    p.add_argument("--skip-capture", action="store_true", help="only the site build benchmark")
    p.add_argument("--skip-site", action="store_true", help="only the capture benchmark")
    p.add_argument("--no-profile", action="store_true", help="no profile of ours even when a target is missed")
    p.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="write the report here (default: BENCHMARKS.md, after a run of everything)")


def cmd_lighthouse(args, checkout: Checkout) -> int:
    """Run Lighthouse (mobile) on the built guide in en, ar and ja; exit 1 when a score is below budget.

    Budget: performance >= 95, accessibility, best practices and SEO 100. One line per page and category
    below budget. Builds the site first (into build/lighthouse/site) unless --site names a built one; serves
    it on a free port with gzip like a static host; the JSON reports go to build/lighthouse/.
    Example: stepshot lighthouse
    Example: stepshot lighthouse --site site --locale ja
    """
    from .gates import build_site
    from .gates.lighthouse import audit_guide, problems, summary

    out = checkout.root / "build" / "lighthouse"
    site = args.site or build_site(checkout.root, out / "site")
    pages = audit_guide(checkout.settings, site, out, args.locale)
    for page in pages:
        print(summary(page))
    failures = problems(pages)
    for line in failures:
        print(line)
    print(f"lighthouse: {len(pages)} pages, {len(failures)} below budget; reports in {out}")
    return 1 if failures else 0


def cmd_htmlcheck(args, checkout: Checkout) -> int:
    """Run the Nu HTML Checker on every page of the built guide; exit 1 on any error of this project's.

    One line per error (page, line, message, the markup). Errors from Material for MkDocs' own templates are
    recognised one by one (gates/htmlcheck.py) and summed up apart. Builds the site first (into
    build/htmlcheck/site) unless --site names a built one. Needs Java 11 or newer.
    Example: stepshot htmlcheck
    Example: stepshot htmlcheck --site site
    """
    from .gates import build_site
    from .gates.htmlcheck import check_site, material_summary

    if args.site and not args.site.is_dir():
        raise BadInput(f"--site {args.site}: not a folder")
    site = args.site or build_site(checkout.root, checkout.root / "build" / "htmlcheck" / "site")
    findings = check_site(site, checkout.settings)
    for error in findings.ours:
        print(error.line_text())
    for line in material_summary(findings):
        print(line)
    print(f"htmlcheck: {findings.pages} pages, {len(findings.ours)} errors of this project's, "
          f"{len(findings.materials)} of Material's own")
    return 1 if findings.ours else 0


def cmd_facts(args, checkout: Checkout) -> int:
    """Check whether LinkedIn changed a document the guide's facts rest on; exit 1 when one did.

    For each LinkedIn document in docs/sources.yml, reads Open Terms Archive's feed of its recorded versions
    and lists every version newer than the one the guide was written from (`read`), with the date, the link
    to its diff and the claims of the English pages that cite it. Writes facts.json, and when a document
    changed issue-title.txt and issue-body.md, to --out (default build/stepshot/facts). A feed that cannot
    be read is a warning line (exit 0 unless another document changed).
    Example: stepshot facts
    """
    from .facts import OTA_FEEDS, check_documents, write_report

    checks = check_documents(checkout.root / "docs", args.feeds or OTA_FEEDS)
    write_report(checks, args.out or checkout.root / "build" / "stepshot" / "facts", checkout.settings.run_url)
    for check in checks:
        if check.warning:
            print(f"warning: {check.warning}", file=sys.stderr)
        elif check.newer:
            print(f"{check.source_id}: changed: {len(check.newer)} newer version(s), the first recorded "
                  f"{check.newer[0].recorded.date().isoformat()}; {len(check.claims)} claim(s) cite it")
        else:
            print(f"{check.source_id}: unchanged since {check.source.read.isoformat()}")
    return 1 if any(c.newer for c in checks) else 0


def add_facts_options(p):
    p.add_argument("--feeds", default=None, metavar="URL",
                   help="where Open Terms Archive's feeds are (default https://github.com; tests use a local copy)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="where the report goes")


def add_site_option(p):
    p.add_argument("--site", type=Path, default=None, metavar="DIR", help="a built site (default: build one)")


def add_lighthouse_options(p):
    add_site_option(p)
    p.add_argument("--locale", action="append", metavar="L", choices=list(LOCALES),
                   help="the guide in this locale (repeatable; default: en, ar, ja)")


COMMANDS = {
    "browser": (cmd_browser, []),
    "validate": (cmd_validate, [add_flow_options, add_locale_option]),
    "check": (cmd_check, [add_target_options, add_flow_options, add_locale_option, add_viewport_option,
                          add_sessions_option]),
    "learn": (cmd_learn, [add_learn_options, add_target_options, add_flow_options, add_viewport_option]),
    "new-locale": (cmd_new_locale, [add_new_locale_options]),
    "stand-in": (cmd_stand_in, [add_stand_in_options]),
    "capture": (cmd_capture, [add_target_options, add_flow_options, add_locale_option, add_viewport_option,
                              add_sessions_option, add_capture_options]),
    "login": (cmd_login, [add_login_options]),
    "refresh": (cmd_refresh, [add_target_options, add_locale_option, add_viewport_option, add_refresh_options]),
    "links": (cmd_links, [add_links_options]),
    "translations": (cmd_translations, [add_locale_option]),
    "bench": (cmd_bench, [add_locale_option, add_viewport_option, add_bench_options]),
    "lighthouse": (cmd_lighthouse, [add_lighthouse_options]),
    "htmlcheck": (cmd_htmlcheck, [add_site_option]),
    "facts": (cmd_facts, [add_facts_options]),
}


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="stepshot", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"stepshot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, (func, option_groups) in COMMANDS.items():
        doc = func.__doc__ or ""
        p = sub.add_parser(name, help=doc.splitlines()[0], description=doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        for add in option_groups:
            add(p)
        p.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None, environ=None) -> int:
    """Run one command; every failure is one line on stderr and a documented exit code."""
    args = build_parser().parse_args(argv)
    try:
        checkout = Checkout.from_settings(Settings.from_environ(os.environ if environ is None else environ))
        with stop_on_sigterm():
            return args.func(args, checkout)
    except BadInput as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return exc.exit_code
    except StepshotError as exc:
        print(f"stepshot: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("stepshot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # the machine, not the input: a full disk, a folder we may not write
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"stepshot: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_ENVIRONMENT


if __name__ == "__main__":
    sys.exit(main())

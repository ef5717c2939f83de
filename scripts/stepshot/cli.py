"""The `stepshot` command: a thin layer that parses options, calls the library and maps errors to exit codes.

Exit codes: 0 fine, 1 drift, 2 bad input or usage, 3 target unusable, 4 no browser (see errors.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, paths
from .browser import VIEWPORTS
from .errors import EXIT_BAD_INPUT, BadInput, StepshotError
from .locales import LOCALES


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


def _workers(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be 1 or more")
    return value


def add_workers_option(p):
    p.add_argument("--workers", type=_workers, default=1, metavar="N",
                   help="walk N locale/viewport pairs at once, one browser each (default 1; capture: 4)")


def load_project_from(args):
    from .model import load_project

    return load_project(args.flow_file or paths.flow_file(), args.labels_dir or paths.labels_dir(),
                        getattr(args, "locale", None))


# ---- commands ----

def cmd_browser(args) -> int:
    """Print which Chromium stepshot will use.

    Example: stepshot browser
    """
    from playwright.sync_api import sync_playwright

    from .browser import describe

    with sync_playwright() as pw:
        print(describe(pw))
    return 0


def cmd_validate(args) -> int:
    """Check the flow file and every label file; print one line per problem.

    Example: stepshot validate --locale fr
    """
    project = load_project_from(args)
    steps = len(list(project.flow.steps()))
    print(f"ok: {steps} steps in {len(project.flow.flows)} flows, {len(project.labels)} locales")
    return 0


def cmd_check(args) -> int:
    """Walk every flow in every locale and viewport; report steps whose labels or pages have drifted.

    Writes build/stepshot/check.json and check.md; exit 0 all fine, 1 a step is broken, 3 target unusable.
    Example: stepshot check --target stand-in:label-renamed --locale en --viewport desktop
    Example: stepshot check --workers 2
    """
    from .check import run_check, summary_lines

    project = load_project_from(args)
    report_dir = paths.reports_dir()
    report = run_check(args.target, project, args.locale, args.viewport, auth=args.auth, report_dir=report_dir,
                       workers=args.workers)
    for line in summary_lines(report, report_dir):
        print(line)
    return report.exit_code


def cmd_stand_in(args) -> int:
    """Serve the local stand-in of LinkedIn's settings pages on 127.0.0.1 until Ctrl+C.

    Example: stepshot stand-in --port 8001 --variant cookie-banner
    """
    from .standin.account import TEST_ACCOUNT
    from .standin.server import serve

    def ready(url: str) -> None:
        variant = f" (variant {args.variant})" if args.variant else ""
        print(f"stand-in{variant}: {url}/feed/", flush=True)
        print(f"test account: {TEST_ACCOUNT.email} / {TEST_ACCOUNT.password}  (Ctrl+C stops)", flush=True)

    try:
        serve(args.port, args.variant, delay=args.delay, on_ready=ready)
    except KeyboardInterrupt:
        pass
    print("stand-in stopped")
    return 0


def add_stand_in_options(p):
    from .standin.variants import VARIANTS

    p.add_argument("--port", type=int, default=8001, metavar="N",
                   help="port on 127.0.0.1 (default 8001; 0: any free port)")
    p.add_argument("--variant", choices=list(VARIANTS), metavar="NAME",
                   help=f"drift variant: {', '.join(VARIANTS)}")
    p.add_argument("--delay", type=float, default=None, metavar="S",
                   help="seconds each response waits under --variant slow (default 1.5)")


def cmd_capture(args) -> int:
    """Take the annotated screenshot of every step in every locale and viewport; report what changed.

    Writes screenshots/<locale>/<viewport>/<step>.png (only when its pixels changed) and
    screenshots/manifest.json, then build/stepshot/capture.json and capture.md.
    Exit 0 fine, 1 a step is broken (its previous image kept, marked stale), 3 target unusable.
    Example: stepshot capture --target stand-in:label-renamed --locale en --viewport desktop
    """
    from .capture import CaptureOptions, run_capture
    from .capture_report import summary_line

    project = load_project_from(args)
    options = CaptureOptions(locales=args.locale or list(LOCALES), viewports=args.viewport, steps=args.step,
                             threshold=args.threshold, workers=args.workers)
    report = run_capture(args.target, project, options, auth=args.auth)
    print(summary_line(report))
    print(f"report: {paths.reports_dir() / 'capture.md'}")
    return report.exit_code


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text}: must be between 0 and 1")
    return value


def add_capture_options(p):
    p.add_argument("--step", action="append", metavar="S", help="limit to this step id (repeatable; default: all)")
    p.add_argument("--threshold", type=_share, default=0.1, metavar="T",
                   help="per-pixel colour difference (0..1) above which a pixel counts as changed; "
                        "anti-aliasing is ignored either way (default 0.1)")
    # Most of a step is waiting for the page, so parallel walks pay off even on 2 cores (README.md).
    p.set_defaults(workers=4)


def cmd_login(args) -> int:
    """Open a browser window to log into the test account by hand; save the login for --auth.

    Two-step verification and captchas work as usual. The file is private: it is never printed, and
    refused under screenshots/ or docs/. Keep it outside the repository.
    Example: stepshot login --auth ~/.config/stepshot/linkedin.auth.json
    """
    from .login import save_login

    save_login(args.auth, args.base_url)
    return 0


def add_login_options(p):
    from .login import DEFAULT_BASE_URL

    p.add_argument("--auth", type=Path, required=True, metavar="FILE",
                   help="where to save the login (Playwright storage state), e.g. ~/.config/stepshot/linkedin.auth.json")
    p.add_argument("--base-url", default=DEFAULT_BASE_URL, metavar="URL",
                   help=f"site to log into (default {DEFAULT_BASE_URL})")


def cmd_refresh(args) -> int:
    """Capture in a git checkout, then decide: unchanged, changed, broken (drift) or blocked (target unusable).

    changed: the changed screenshots and manifest are committed on --branch (reset from HEAD; the current
    branch and screenshots/ are left as they were), with a pull-request title and body in --out.
    broken / blocked: an issue title and body in --out; nothing committed. Never pushes.
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
        outcome = merge(args.merge, args.repo, args.branch, args.out)
    else:
        outcome = refresh(args.repo, args.target, args.locale, args.viewport, args.auth, args.branch, args.out)
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


def cmd_links(args) -> int:
    """Compare docs/links-contract.json with the deep links the docs publish; exit 1 when they differ.

    A published link that disappears needs a redirect in the contract; a new one needs --update.
    Example: stepshot links --update
    """
    from .model import load_flow
    from .site import deeplinks, pages

    docs = pages.docs_dir()
    plans = pages.plan_all(docs, load_flow(paths.flow_file()))
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


def cmd_translations(args) -> int:
    """List translated pages that are missing or older than their English page; exit 1 when any.

    Each line names the page, the English version it records and the current one (its translation_of).
    Example: stepshot translations --locale fr
    """
    from .site import pages, translations

    docs = pages.docs_dir()
    rows = translations.all_freshness(docs, args.locale)
    outdated = [row for row in rows if row.outdated]
    for row in outdated:
        print(row.line(docs))
    print(f"{len(rows) - len(outdated)} of {len(rows)} translated pages are current")
    return 1 if outdated else 0


def cmd_bench(args) -> int:
    """Time the capture against shot-scraper and a bare Playwright loop, and the site build per locale.

    Prints medians and the ratios ours / shot-scraper and ours / floor; profiles ours once when a target is
    missed; writes BENCHMARKS.md after a run of everything (or to --out). Takes a while: the full capture
    runs three ways, --repeat times each.
    Example: stepshot bench --repeat 3
    Example: stepshot bench --repeat 1 --locale en --skip-site
    """
    from .bench.run import BenchOptions, run_bench

    run_bench(BenchOptions(repeat=args.repeat, locales=args.locale, viewports=args.viewport,
                           capture=not args.skip_capture, site=not args.skip_site, profile=not args.no_profile,
                           out=args.out))
    return 0


def add_bench_options(p):
    p.add_argument("--repeat", type=_workers, default=3, metavar="N", help="rounds of each contender (default 3)")
    p.add_argument("--skip-capture", action="store_true", help="only the site build benchmark")
    p.add_argument("--skip-site", action="store_true", help="only the capture benchmark")
    p.add_argument("--no-profile", action="store_true", help="no profile of ours even when a target is missed")
    p.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="write the report here (default: BENCHMARKS.md, after a run of everything)")


def cmd_lighthouse(args) -> int:
    """Run Lighthouse (mobile) on the built guide in en, ar and ja; exit 1 when a score is below budget.

    Budget: performance >= 95, accessibility, best practices and SEO 100. One line per page and category
    below budget. Builds the site first (into build/lighthouse/site) unless --site names a built one; serves
    it on a free port with gzip like a static host; the JSON reports go to build/lighthouse/.
    Example: stepshot lighthouse
    Example: stepshot lighthouse --site site --locale ja
    """
    from .gates.lighthouse import audit_guide, build_site, problems, summary

    out = paths.reports_dir().parent / "lighthouse"
    site = args.site or build_site(out / "site")
    pages = audit_guide(site, out, args.locale)
    for page in pages:
        print(summary(page))
    failures = problems(pages)
    for line in failures:
        print(line)
    print(f"lighthouse: {len(pages)} pages, {len(failures)} below budget; reports in {out}")
    return 1 if failures else 0


def add_lighthouse_options(p):
    p.add_argument("--site", type=Path, default=None, metavar="DIR", help="a built site (default: build one)")
    p.add_argument("--locale", action="append", metavar="L", choices=list(LOCALES),
                   help="the guide in this locale (repeatable; default: en, ar, ja)")


COMMANDS = {
    "browser": (cmd_browser, []),
    "validate": (cmd_validate, [add_flow_options, add_locale_option]),
    "check": (cmd_check, [add_target_options, add_flow_options, add_locale_option, add_viewport_option,
                          add_workers_option]),
    "stand-in": (cmd_stand_in, [add_stand_in_options]),
    "capture": (cmd_capture, [add_target_options, add_flow_options, add_locale_option, add_viewport_option,
                              add_workers_option, add_capture_options]),
    "login": (cmd_login, [add_login_options]),
    "refresh": (cmd_refresh, [add_target_options, add_locale_option, add_viewport_option, add_refresh_options]),
    "links": (cmd_links, [add_links_options]),
    "translations": (cmd_translations, [add_locale_option]),
    "bench": (cmd_bench, [add_locale_option, add_viewport_option, add_bench_options]),
    "lighthouse": (cmd_lighthouse, [add_lighthouse_options]),
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BadInput as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return exc.exit_code
    except StepshotError as exc:
        print(f"stepshot: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("stepshot: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

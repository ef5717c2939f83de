"""`stepshot new-locale`: add a language everywhere the project needs it, in one step.

The locale list (locales.py), the site's language entry (mkdocs.yml), its short texts
(docs/site-strings.yml), its pages (docs/<L>/, copies of the English pages marked awaiting translation),
its label file (English texts, all unverified, until `stepshot learn` reads LinkedIn's), the persona's
headline (English, to be translated), the published
links (docs/links-contract.json) and the nightly job's last locale shard. Every change is computed first
and written after: a bad value or an existing locale changes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .checkout import Checkout
from .errors import BadInput
from .files import write_atomic
from .locales import LOCALES, SOURCE_LOCALE, Locale
from .site.translations import AWAITING, FRONT_MATTER, english_pages

CODE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-[A-Z][a-z]{3})?$")         # pl, zh-TW, sr-Latn
LINKEDIN_VALUE = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")                   # pl_PL, as LinkedIn's language list
LOCALES_FILE = Path("scripts/stepshot/locales.py")
NIGHTLY = Path(".github/workflows/nightly-screenshots.yml")


@dataclass(frozen=True)
class Plan:
    files: dict[Path, str]     # path -> new full text
    pages: list[str]           # the English pages copied


def _reads_back(name: str) -> bool:
    """The name goes into mkdocs.yml as it is: it must read back as itself."""
    try:
        return yaml.safe_load(f"name: {name}") == {"name": name}
    except yaml.YAMLError:
        return False


def check_values(code: str, name: str, browser: str, linkedin: str) -> None:
    if not CODE.match(code):
        raise BadInput(f"new-locale: {code}: not a locale code (like pl, zh-TW: language, then region or script)")
    if code in LOCALES:
        raise BadInput(f"new-locale: {code}: already a locale ({LOCALES[code].name})")
    if not name.strip() or any(ch in name for ch in '"\\\n') or not _reads_back(name):
        raise BadInput(f"--name: {name!r}: the language's own name, one line without quotes or backslashes")
    if not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$", browser):
        raise BadInput(f"--browser: {browser}: not a browser locale (like pl-PL)")
    if not LINKEDIN_VALUE.match(linkedin):
        raise BadInput(f"--linkedin: {linkedin}: not a value of LinkedIn's language list (like pl_PL)")


def locales_text(text: str, locale: Locale) -> str:
    end = text.index("    ]\n}")
    rtl = ", rtl=True" if locale.rtl else ""
    line = f'        Locale("{locale.code}", "{locale.browser}", "{locale.name}", "{locale.linkedin}"{rtl}),\n'
    return text[:end] + line + text[end:]


def mkdocs_text(text: str, locale: Locale) -> str:
    """The language entry after the last one (the i18n plugin's list ends before markdown_extensions)."""
    site_name = re.search(r"^site_name: (.*)$", text, re.M)[1]
    description = re.search(r"^site_description: (.*)$", text, re.M)[1]
    entry = (f"        - locale: {locale.code}\n          name: {locale.name}\n          build: true\n"
             f"          site_name: {site_name}\n          site_description: {description}\n")
    end = text.index("\nmarkdown_extensions:")
    return text[:end].rstrip("\n") + "\n" + entry + text[end:]


def site_strings_text(text: str, code: str) -> str:
    """The English block again under the new code: our own short texts, to be translated."""
    english = re.search(rf"^{SOURCE_LOCALE}:\n((?:  .*\n|\n)*?)(?=^\S)", text, re.M)[1]
    return text.rstrip("\n") + f"\n{json.dumps(code)}:\n" + english.rstrip("\n") + "\n"


def label_text(checkout: Checkout, code: str) -> str:
    from .reader import load_project

    english = load_project(checkout.flow_file, checkout.labels_dir, [SOURCE_LOCALE]).labels[SOURCE_LOCALE]
    note = (f"English text, awaiting translation: read LinkedIn's with stepshot learn --locale {code} "
            "--target https://www.linkedin.com")
    out = [f"# {code}: labels added by `stepshot new-locale`. Every text is English and unverified until a",
           "# dated source quotes the language's own or `stepshot learn` reads it off linkedin.com.",
           f"locale: {code}", "labels:"]
    for key, label in english.labels.items():
        out += [f"  {key}:", f"    text: {json.dumps(label.text, ensure_ascii=False)}", "    status: unverified",
                f"    note: {json.dumps(note)}"]
    out.append("callouts:")
    out += [f"  {key}: {json.dumps(text, ensure_ascii=False)}" for key, text in english.callouts.items()]
    return "\n".join(out) + "\n"


def persona_text(text: str, code: str) -> str:
    """The persona's headline in the new language: the English one, after the last headline."""
    english = re.search(rf"^  {SOURCE_LOCALE}: (.*)$", text, re.M)[1]
    last = list(re.finditer(r"^headline:\n((?:  .*\n)+)", text, re.M))[0]
    return text[:last.end()] + f"  {code}: {english}\n" + text[last.end():]


def page_text(english: str) -> str:
    """An English page marked awaiting translation (its front matter kept, translation_of added)."""
    head = FRONT_MATTER.match(english)
    mark = f"translation_of: {AWAITING}\n"
    if head:
        return f"---\n{mark}{head.group(1)}\n---\n" + english[head.end():]
    return f"---\n{mark}---\n" + english


def nightly_text(text: str, code: str) -> str:
    """The new locale joins the nightly job's last shard."""
    shards = list(re.finditer(r"^(\s+- shard: )(\S+)\n(\s+locales: )(.*)$", text, re.M))
    last = shards[-1]
    line = f"{last[1]}{last[2]}-{code.lower()}\n{last[3]}{last[4]} {code}"
    return text[:last.start()] + line + text[last.end():]


def plan(checkout: Checkout, locale: Locale) -> Plan:
    root = checkout.root
    docs = checkout.docs
    locales_file = root / LOCALES_FILE
    files = {
        locales_file: locales_text(locales_file.read_text(encoding="utf-8"), locale),
        root / "mkdocs.yml": mkdocs_text((root / "mkdocs.yml").read_text(encoding="utf-8"), locale),
        docs / "site-strings.yml": site_strings_text((docs / "site-strings.yml").read_text(encoding="utf-8"),
                                                     locale.code),
        checkout.labels_dir / f"{locale.code}.yml": label_text(checkout, locale.code),
        checkout.persona_file: persona_text(checkout.persona_file.read_text(encoding="utf-8"), locale.code),
    }
    if (root / NIGHTLY).is_file():
        files[root / NIGHTLY] = nightly_text((root / NIGHTLY).read_text(encoding="utf-8"), locale.code)
    pages = english_pages(docs)
    for page in pages:
        files[docs / locale.code / page] = page_text((docs / SOURCE_LOCALE / page).read_text(encoding="utf-8"))
    outside = next((path for path in files if not path.resolve().is_relative_to(root.resolve())), None)
    if outside is not None:  # a checkout sharing another's files by links: never write through them
        raise BadInput(f"new-locale: {outside}: not this checkout's own file (it links to another's)")
    return Plan(files, pages)


def add_locale(checkout: Checkout, locale: Locale) -> Plan:
    """Write the plan; the rest of this process knows the locale too (the links contract needs it)."""
    planned = plan(checkout, locale)
    for path, text in planned.files.items():
        write_atomic(path, text.encode("utf-8"))
    LOCALES[locale.code] = locale
    return planned

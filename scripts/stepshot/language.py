"""The account's display language: LinkedIn shows a signed-in member's pages in it, whatever the browser
asks for (Accept-Language counts only before signing in).

So before walking a locale, the walk changes the language the way a member does: on the language
settings page (/mypreferences/d/settings/language, a <select> of languages and a submit button, as public
automation code that drives linkedin.com shows), and checks that the next page is in that language
(`<html lang>`). LinkedIn mirrors the setting in its `lang` cookie (v=2&lang=fr-fr), but the cookie alone
is only a copy: setting it is not how LinkedIn's own pages change the language, so the walk never does.
The locator is language-neutral: the select holding language_REGION values and its form's submit button.
"""

from __future__ import annotations

from .errors import TargetUnusable
from .guard import Guard, path_of
from .locales import Locale

LANGUAGE_PAGE = "/mypreferences/d/settings/language"
FIND_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 30_000
SELECT = "select:has(option[value*='_'])"


def pick(options: list[str], locale: Locale) -> str | None:
    """The option value for the locale: its exact LinkedIn value, else the same language (and region)."""
    if locale.linkedin in options:
        return locale.linkedin
    language, _, region = locale.code.partition("-")
    same = [o for o in options if o.split("_")[0].lower() == language.lower()]
    with_region = [o for o in same if region and o.split("_")[-1].lower() == region.lower()]
    return (with_region or same or [None])[0]


async def set_language(page, guard: Guard, base_url: str, locale: Locale) -> str:
    """Make `locale` the account's display language; return the value it had before.

    TargetUnusable `wrong-language` when the setting offers no such language or the pages stay in
    another one.
    """
    await guard.goto(base_url + LANGUAGE_PAGE, NAVIGATION_TIMEOUT_MS)
    select = page.locator(SELECT).first
    try:
        await guard.run(select.wait_for(state="visible", timeout=FIND_TIMEOUT_MS))
    except Exception as exc:
        if isinstance(exc, TargetUnusable):
            raise
        raise TargetUnusable("wrong-language", f"no language setting at {LANGUAGE_PAGE} (the page at "
                                               f"{path_of(page.url)} shows no language list)") from None
    before = await select.input_value()
    options = await select.locator("option").evaluate_all("os => os.map(o => o.value)")
    value = pick(options, locale)
    if value is None:
        raise TargetUnusable("wrong-language", f"the language setting offers no {locale.name} ({locale.code}); "
                                               f"it offers {', '.join(options[:12])}")
    if value != before:
        await select.select_option(value)
        submit = page.locator("form").filter(has=page.locator(SELECT)).locator("button[type=submit]").first
        async with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS):
            await guard.run(submit.click(timeout=FIND_TIMEOUT_MS))
        await guard.run(page.locator(SELECT).first.wait_for(state="visible", timeout=FIND_TIMEOUT_MS))
    await guard.check_page()  # the language check: <html lang> is the locale's now
    return before


async def restore_language(page, guard: Guard, base_url: str, value: str) -> None:
    """Put the display language back to `value` (a value of the language setting)."""
    await guard.goto(base_url + LANGUAGE_PAGE, NAVIGATION_TIMEOUT_MS)
    select = page.locator(SELECT).first
    await guard.run(select.wait_for(state="visible", timeout=FIND_TIMEOUT_MS))
    if await select.input_value() == value:
        return
    await select.select_option(value)
    submit = page.locator("form").filter(has=page.locator(SELECT)).locator("button[type=submit]").first
    async with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS):
        await guard.run(submit.click(timeout=FIND_TIMEOUT_MS))

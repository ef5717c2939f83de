"""The guide's locales and the two viewports: the bottom layer both the site and the browser side use."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    code: str          # label file name, site folder, screenshot folder
    browser: str       # the browser's locale (navigator.language, Accept-Language)
    name: str          # the language's own name, for the language switcher
    # The value of this language in LinkedIn's display-language setting (a <select> on
    # /mypreferences/d/settings/language). Public automation code shows "en_US"; the others follow the
    # same language_REGION form and are unverified. The walk matches an option by language (and region,
    # where the locale names one), so a different region in LinkedIn's list still matches.
    linkedin: str
    rtl: bool = False

    @property
    def language(self) -> str:
        """The language subtag, as `<html lang>` starts: "pt" for pt-BR."""
        return self.code.split("-")[0].lower()


LOCALES: dict[str, Locale] = {
    loc.code: loc
    for loc in [
        Locale("en", "en-US", "English", "en_US"),
        Locale("es", "es-ES", "Español", "es_ES"),
        Locale("fr", "fr-FR", "Français", "fr_FR"),
        Locale("de", "de-DE", "Deutsch", "de_DE"),
        Locale("pt-BR", "pt-BR", "Português (Brasil)", "pt_BR"),
        Locale("it", "it-IT", "Italiano", "it_IT"),
        Locale("nl", "nl-NL", "Nederlands", "nl_NL"),
        Locale("ja", "ja-JP", "日本語", "ja_JP"),
        Locale("ar", "ar", "العربية", "ar_AE", rtl=True),
        Locale("hi", "hi-IN", "हिन्दी", "hi_IN"),
        Locale("pl", "pl-PL", "Polski", "pl_PL"),
        Locale("zh-TW", "zh-TW", "繁體中文", "zh_TW"),
        Locale("tr", "tr-TR", "Türkçe", "tr_TR"),
        Locale("id", "id-ID", "Bahasa Indonesia", "id_ID"),
    ]
}

SOURCE_LOCALE = "en"


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    scale: float
    mobile: bool


VIEWPORTS: dict[str, Viewport] = {
    # Scale 2 on both: a focus crop keeps its text sharp when the guide shows it at reading size.
    "desktop": Viewport("desktop", 1280, 800, 2, mobile=False),
    # A phone-sized profile: LinkedIn serves its mobile web layout to it.
    "mobile": Viewport("mobile", 390, 844, 2, mobile=True),
}

# The guide's content column, in CSS pixels, at a 1280 px window (where desktop pictures are read) and a
# 390 px window (phone pictures); tests/test_site_guide.py measures both. A picture no wider than
# CONTENT_WIDTH * text_px / READING_PX keeps a control's text at READING_PX there (focus.py), and the site
# never shows a picture narrower than that (site/figures.py).
CONTENT_WIDTH = {"desktop": 640, "mobile": 350}
READING_PX = 12

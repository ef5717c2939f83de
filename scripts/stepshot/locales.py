"""The guide's locales: code (as in label files and site folders), browser locale, direction."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    code: str          # label file name, site folder, screenshot folder
    browser: str       # what the browser sends as Accept-Language / navigator.language
    name: str          # the language's own name, for the language switcher
    rtl: bool = False


LOCALES: dict[str, Locale] = {
    loc.code: loc
    for loc in [
        Locale("en", "en-US", "English"),
        Locale("es", "es-ES", "Español"),
        Locale("fr", "fr-FR", "Français"),
        Locale("de", "de-DE", "Deutsch"),
        Locale("pt-BR", "pt-BR", "Português (Brasil)"),
        Locale("it", "it-IT", "Italiano"),
        Locale("nl", "nl-NL", "Nederlands"),
        Locale("ja", "ja-JP", "日本語"),
        Locale("ar", "ar", "العربية", rtl=True),
        Locale("hi", "hi-IN", "हिन्दी"),
    ]
}

SOURCE_LOCALE = "en"

"""Whose personal data a run must hide, and the neutral persona shown instead.

The account a login belongs to: for the stand-in, each of its fictional test accounts; for a live target,
the JSON file named by STEPSHOT_ACCOUNT (kept outside the repository):

    {"name": "...", "headline": "...", "email": "...",          what must never show on a picture
     "photo": "part of the photo's URL",                        optional: helps find the photo
     "photo_file": "/path/to/photo.jpg",                        optional: pictures are checked against it
     "test_account": true}                                      optional: see MAINTAINING.md

`test_account: true` says the login is a dedicated test account, so `capture` may turn a switch On for a
step's "before" picture (and turns it Off again). Without it, `capture` never turns a setting On.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from .errors import BadInput
from .locales import LOCALES, SOURCE_LOCALE
from .reader import load_model
from .schema import Strict

ACCOUNT_ENV = "STEPSHOT_ACCOUNT"
EMAIL = r"^[^@\s]+@[^@\s]+$"


class Persona(Strict):
    name: str = Field(min_length=1)
    headline: dict[str, str]        # per locale: shown in the reader's language
    email: str = Field(pattern=EMAIL)
    avatar_color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")

    @field_validator("headline")
    @classmethod
    def _every_locale(cls, headline):
        missing = [code for code in LOCALES if not headline.get(code, "").strip()]
        if missing:
            raise ValueError(f"missing for {', '.join(missing)}")
        unknown = [code for code in headline if code not in LOCALES]
        if unknown:
            raise ValueError(f"unknown locale {unknown[0]!r}")
        return headline

    def headline_in(self, locale: str) -> str:
        return self.headline.get(locale) or self.headline[SOURCE_LOCALE]


class PersonalData(Strict):
    """What must never show on a screenshot, and whether the login may be used to turn settings on."""

    name: str = Field(min_length=2)
    headline: str = Field(min_length=2)
    email: str = Field(pattern=EMAIL)
    photo: str | None = Field(default=None, min_length=4)  # a part of the photo's URL
    photo_file: str | None = None   # the photo as an image file (PNG, JPEG): pictures are checked against it
    test_account: bool = False


def load_persona(path: Path) -> Persona:
    return load_model(path, Persona)


def live_account(path: Path | None) -> PersonalData:
    """The live account's data from STEPSHOT_ACCOUNT; BadInput when it is not set or not valid."""
    if path is None:
        raise BadInput(f"{ACCOUNT_ENV}: required for a live target: a JSON file with the logged-in account's "
                       "name, headline and email, so that the walk knows the member's own name on the page and "
                       "the pictures can hide it (MAINTAINING.md)")
    return load_model(path, PersonalData)  # JSON is YAML: one loader, one-line errors


def standin_account(account) -> PersonalData:
    """A stand-in test account (standin.accounts.Account) as the data to hide."""
    return PersonalData(name=account.name, headline=account.headline, email=account.email,
                        photo=account.photo_id, test_account=True)

"""Personal data on screenshots, found by reading them: OCR (Tesseract, Debian's tesseract-ocr) of each image,
then a fuzzy search for the account's name, its parts, its headline and its email; and by looking at them:
the members' photos searched for in the pixels (photocheck.py).

Fuzzy, because OCR misreads a letter here and there ("Castel1"); the words searched for are long and
unusual enough that a near match is a leak, not a coincidence. The account's strings are Latin script in
every locale, so English OCR reads them on any screenshot.
"""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from difflib import SequenceMatcher
from pathlib import Path

from . import ToolMissing

PHRASE_RATIO = 0.8   # a whole name, headline or email, word window against word window
WORD_RATIO = 0.86    # a single distinctive word (a name part, the email's local part)
MIN_WORD = 5         # shorter parts of a name are too common to count alone
# Sparse text: a screenshot is scattered labels, not a page of prose (Tesseract's default misses many).
TESSERACT_CONFIG = "--psm 11"


def personal_strings(account) -> dict[str, str]:
    """What must never be readable: {what: text} from an account (stand-in's TEST_ACCOUNT or PersonalData)."""
    found = {"name": account.name, "headline": account.headline, "email": account.email,
             "email local part": account.email.split("@")[0]}
    for part in account.name.split():
        if len(part) >= MIN_WORD:
            found[f"name part {part}"] = part
    return found


def words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.lower()) if w]


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def matches(text: str, needle: str) -> bool:
    """Whether OCR text contains needle, allowing a few misread characters."""
    haystack, wanted = words(text), words(needle)
    if not wanted:
        return False
    threshold = WORD_RATIO if len(wanted) == 1 else PHRASE_RATIO
    target = " ".join(wanted)
    for size in {len(wanted) - 1, len(wanted), len(wanted) + 1} - {0}:
        for start in range(0, max(1, len(haystack) - size + 1)):
            window = " ".join(haystack[start:start + size])
            # strip punctuation OCR glues to words (quotes, bars), except the email's own
            window = re.sub(r"[^\w@.+-]+", " ", window).strip()
            if window and _ratio(window, target) >= threshold:
                return True
    return False


def ocr(image: Path, scale: float = 1) -> str:
    """The text Tesseract reads; a picture taken at `scale` device pixels per CSS pixel is read at CSS size
    (the text is 12 px or more there: plenty for Tesseract, and a quarter of the work at scale 2)."""
    import pytesseract
    from PIL import Image

    with Image.open(image) as picture:
        picture = picture.convert("L")
        if scale != 1:
            picture = picture.resize((round(picture.width / scale), round(picture.height / scale)),
                                     Image.Resampling.LANCZOS)
        return pytesseract.image_to_string(picture, lang="eng", config=TESSERACT_CONFIG)


def check_tesseract() -> None:
    if shutil.which("tesseract") is None:
        raise ToolMissing("tesseract not found: `apt-get install tesseract-ocr` (Debian), needed to read screenshots")


def scan(images: list[Path], strings: dict[str, str], workers: int = 2,
         scale_of=lambda image: 1) -> dict[Path, list[str]]:
    """{image: [what was found]} for every image on which any personal string can be read.

    scale_of(image): the image's device pixels per CSS pixel."""
    check_tesseract()

    def one(image: Path) -> tuple[Path, list[str]]:
        text = ocr(image, scale_of(image))
        return image, [what for what, needle in strings.items() if matches(text, needle)]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return {image: found for image, found in pool.map(one, images) if found}


def photo_scan(images: list[Path], photos: dict[str, list], scale_of, workers: int = 2) -> dict[Path, list[str]]:
    """{image: [whose photo]} for every image that shows one of the photos ({who: photocheck templates}).

    scale_of(image): the image's device pixels per CSS pixel."""
    from ..photocheck import shows_which

    def one(image: Path) -> tuple[Path, list[str]]:
        return image, shows_which(image.read_bytes(), photos, scale_of(image))

    with ThreadPoolExecutor(max_workers=workers) as pool:  # numpy lets go of the GIL
        return {image: [f"photo of {who}" for who in found] for image, found in pool.map(one, images) if found}


def problems(found: dict[Path, list[str]], root: Path) -> list[str]:
    lines = []
    for image, what in sorted(found.items()):
        try:
            shown = image.relative_to(root).as_posix()
        except ValueError:
            shown = str(image)
        lines.append(f"{shown}: personal data of a member: {', '.join(what)}")
    return lines

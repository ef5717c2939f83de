"""Quality gates over the built guide and the committed screenshots: Lighthouse scores, page weight,
personal data on screenshots (OCR), internal links and the deep-link contract. Each returns one line per
problem; the tests (tests/test_gates_*.py) and `stepshot lighthouse` fail on any."""

from ..errors import EXIT_ENVIRONMENT, StepshotError


class ToolMissing(StepshotError):
    """A program a gate or the benchmark runs is not installed (Lighthouse, shot-scraper, Tesseract)."""

    exit_code = EXIT_ENVIRONMENT

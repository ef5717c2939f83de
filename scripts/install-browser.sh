#!/bin/sh
# Make sure stepshot can find a Chromium: Playwright's own, or Debian's with the fonts the guide's
# languages need. Called by `make`; safe to run again (does nothing when a browser is there).
set -u
PYTHON=${PYTHON:-.venv/bin/python}
FONTS="fonts-noto-core fonts-noto-cjk fonts-liberation"

fonts_present() { command -v fc-list >/dev/null && fc-list | grep -q "Noto Sans CJK"; }

if "$PYTHON" -m stepshot.cli browser 2>/dev/null && fonts_present; then
    exit 0
fi
if ! "$PYTHON" -m stepshot.cli browser >/dev/null 2>&1; then
    echo "no Chromium yet: trying Playwright's download"
    "$PYTHON" -m playwright install chromium >/dev/null 2>&1 && "$PYTHON" -m stepshot.cli browser && fonts_present && exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing Debian's chromium (and its headless shell) and fonts with apt-get"
    apt-get update -qq
    shell=$(apt-cache show chromium-headless-shell >/dev/null 2>&1 && echo chromium-headless-shell || true)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium $shell $FONTS >/dev/null
    "$PYTHON" -m stepshot.cli browser && exit 0
fi
if "$PYTHON" -m stepshot.cli browser; then
    echo "warning: Noto fonts missing; Japanese, Arabic and Hindi screenshots may show empty boxes." >&2
    echo "         On Debian: apt-get install --no-install-recommends $FONTS" >&2
    exit 0
fi
exit 4

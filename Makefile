# The two commands a newcomer needs: `make serve` (build and serve the guide) and `make test`.
# Both set everything up on a fresh machine and reinstall nothing when nothing changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Test files run in three processes (pytest-xdist); a file stays in one process because its fixtures are costly.
# Tests marked `alone` (they measure time: the site's speed, how fast an interrupt stops a run) run afterwards, by themselves.
# PYTEST_WORKERS="-n 0" runs everything in this process.
PYTEST_WORKERS ?= -n 3 --dist loadfile
export NO_MKDOCS_2_WARNING := 1

.PHONY: install browser java screenshots site serve test check bench lighthouse htmlcheck clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

browser: $(STAMP)
	@PYTHON=$(PY) sh scripts/install-browser.sh

# The Nu HTML Checker (the HTML gate's test, `make htmlcheck`) runs on Java 11 or newer.
java:
	@command -v java >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's Java runtime with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null; \
	  else echo "the HTML gate needs Java 11 or newer: apt-get install default-jre-headless" >&2; exit 4; fi; }

# With a saved LinkedIn login (STEPSHOT_AUTH=path, see MAINTAINING.md) the screenshots are re-taken from
# linkedin.com; without one they come from the local stand-in, and only when none have been taken yet
# (a clone has them committed; `stepshot capture` re-takes them on demand).
screenshots: $(STAMP) browser
ifdef STEPSHOT_AUTH
	$(VENV)/bin/stepshot capture --target https://www.linkedin.com
else
	@test -f screenshots/manifest.json || $(VENV)/bin/stepshot capture
endif

site: $(STAMP) browser screenshots
	$(VENV)/bin/mkdocs build --strict --quiet
	@echo "built site/ ($$(find site -name '*.html' | wc -l) pages)"

serve: site
	@echo "serving the guide at http://127.0.0.1:$(PORT)/ (Ctrl+C stops)"
	$(PY) -m http.server --bind 127.0.0.1 --directory site $(PORT)

test: $(STAMP) browser java
	$(VENV)/bin/pytest $(PYTEST_WORKERS) -m "not alone"; status=$$?; \
	$(VENV)/bin/pytest -m alone || status=1; exit $$status

check: $(STAMP) browser
	$(VENV)/bin/stepshot check

# Capture speed against shot-scraper and a bare Playwright loop, and site build scaling; writes BENCHMARKS.md.
bench: $(STAMP) browser
	$(VENV)/bin/stepshot bench

# Lighthouse (npm, pinned in scripts/lighthouse/package-lock.json) on the built guide in en, ar and ja.
LIGHTHOUSE := scripts/lighthouse/node_modules/lighthouse/package.json
$(LIGHTHOUSE): scripts/lighthouse/package-lock.json
	cd scripts/lighthouse && npm ci --no-audit --no-fund --silent
	touch $@

lighthouse: $(STAMP) browser $(LIGHTHOUSE)
	$(VENV)/bin/stepshot lighthouse

# The Nu HTML Checker (npm vnu-jar, pinned in scripts/vnu/package-lock.json; needs Java 11+) on the built guide.
htmlcheck: site java
	$(VENV)/bin/stepshot htmlcheck --site site

clean:
	rm -rf site build

# The two commands a newcomer needs: `make serve` (build and serve the guide) and `make test`.
# Both set everything up on a fresh machine and reinstall nothing when nothing changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: install browser screenshots site serve test check clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

browser: $(STAMP)
	@PYTHON=$(PY) sh scripts/install-browser.sh

site: $(STAMP) browser
	$(VENV)/bin/mkdocs build --strict --quiet
	@echo "built site/ ($$(find site -name '*.html' | wc -l) pages)"

serve: site
	@echo "serving the guide at http://127.0.0.1:$(PORT)/ (Ctrl+C stops)"
	$(PY) -m http.server --bind 127.0.0.1 --directory site $(PORT)

test: $(STAMP) browser
	$(VENV)/bin/pytest

check: $(STAMP) browser
	$(VENV)/bin/stepshot check

clean:
	rm -rf site build

# The README's two commands are `make serve` and `make test`; both do all set-up first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The stamp's name carries the hash of the lock and pyproject.toml, so a changed lock reinstalls and an unchanged one does not.
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
export NO_MKDOCS_2_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# Runs a command with every tool's files (Keras's, matplotlib's, Chromium's...) in .cache/, not in the home folder.
IN_CHECKOUT := $(PY) -m sitebuild.sandbox

.PHONY: setup data browser serve build lint codeblocks test figures run pretrain notebooks evidence bench lock clean

setup: $(STAMP) data

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $@

data: $(STAMP)
	$(PY) -m sitebuild.data

# Debian's chromium (Lighthouse in `make bench`) and its headless shell (the tests) when we are root and one is
# missing; elsewhere see README (playwright install chromium).
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromium-headless-shell || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && { apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-headless-shell; }; } || \
	  echo "no /usr/bin/chromium-headless-shell: browser tests will use 'playwright install chromium' (see README)"

# --dirty: a saved page is rebuilt alone, in about half a second (`make bench` times it); not --strict, which would
# stop on mkdocs' warning that a dirty build may leave other pages' links stale. `make build` and the tests are strict.
serve: setup
	$(VENV)/bin/mkdocs serve --dirty -a 127.0.0.1:8000

build: setup
	$(VENV)/bin/mkdocs build --strict

# Pinned ruff (pyproject.toml [tool.ruff]) before the tests: an undefined name fails here, not at run time.
lint: setup
	$(VENV)/bin/ruff check .

# The pages with their includes expanded, in .cache/codeblocks/, for pytest-codeblocks (README: Lesson code).
codeblocks: setup
	$(PY) -m sitebuild.codeblocks

test: setup browser lint codeblocks
	$(PY) -m pytest -n 2 --codeblocks tests README.md .cache/codeblocks

# The prebuilt run: the grid on models/fashion_base.keras, results (resumable), then figures. PROFILE=full for a GPU.
# `make pretrain` rebuilds that base first (then `make notebooks`: the snippets' outputs depend on it).
PROFILE ?= quick
run: setup
	$(IN_CHECKOUT) $(PY) -m experiments.run --profile $(PROFILE)

pretrain: setup
	$(IN_CHECKOUT) $(PY) -m experiments.run --profile $(PROFILE) --experiment pretrain

figures: setup
	$(IN_CHECKOUT) $(PY) -m experiments.figures

notebooks: setup
	$(PY) -m sitebuild.notebooks

# What every claim's check measures on each backend, for the Evidence page (after `make run` or `make notebooks`:
# the tests say when).
evidence: setup
	for backend in tensorflow jax; do \
	  KERAS_BACKEND=$$backend $(PY) -m pytest -q tests -m claim --record-evidence docs/evidence/$$backend.json || exit; \
	done

bench: setup browser
	$(PY) -m bench $(if $(FULL),--full)

lock:
	$(PY) -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) site

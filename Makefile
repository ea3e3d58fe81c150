# Two commands do all the set-up on a fresh machine:
#   make demo   - run the main job on the bundled example news page
#   make test   - run the test suite
# Both create .venv and install the CPU torch first, then the project with its test and ray extras,
# at the exact versions of constraints.txt (pyproject.toml declares compatible ranges).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CLI    := $(VENV)/bin/polyglot-news
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e '.[test,ray]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(CLI) run examples/baku_news_2021-11-29.txt -o out/demo.jsonl --config configs/offline.yaml --overwrite --format tmx
	$(PY) examples/show.py out/demo.jsonl

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/langid.py
	$(PY) benchmarks/segment.py
	$(PY) benchmarks/translate.py
	$(PY) benchmarks/align.py
	$(PY) benchmarks/bleualign.py
	$(PY) benchmarks/passages.py
	$(PY) benchmarks/engines.py
	$(PY) benchmarks/quality.py --speed

clean:
	rm -rf $(VENV) out .pytest_cache

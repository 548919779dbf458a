# Report Search. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
HOST ?= 127.0.0.1
PORT ?= 5000
CORPUS ?= corpus

.DEFAULT_GOAL := help
.PHONY: help run serve index test test-reliability browser-deps ocr-deps lint format bench bench-quick bench-relevance bench-qa bench-ocr corpus-pdf screenshot clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[semantic]'
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[semantic,test]'
	touch $(TEST_STAMP)

$(BENCH_STAMP): $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[semantic,test,bench]'
	touch $(BENCH_STAMP)

run: $(STAMP) index ## Create the virtualenv, index corpus/ and serve on http://$(HOST):$(PORT)
	$(BIN)/report-search serve --host $(HOST) --port $(PORT)

serve: $(STAMP) ## Serve the existing index
	$(BIN)/report-search serve --host $(HOST) --port $(PORT)

index: $(STAMP) ocr-deps ## Index corpus/ (incremental; REBUILD=1 for a full rebuild)
	$(BIN)/report-search index $(CORPUS) $(if $(REBUILD),--rebuild)

browser-deps: ## Install Debian's chromium for the browser tests where it is missing
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

# Without apt-get (or rights to use it) indexing still runs: scanned pages are then listed
# as needing OCR in report.json and `report-search stats`.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-spa
ocr-deps: ## Install Debian's Tesseract (English, French, Spanish) for OCR where it is missing
	@langs="$$(tesseract --list-langs 2>/dev/null)"; \
	if printf '%s\n' "$$langs" | grep -qx eng && printf '%s\n' "$$langs" | grep -qx fra \
		&& printf '%s\n' "$$langs" | grep -qx spa; then :; \
	elif command -v apt-get >/dev/null; then \
		(apt-get update -qq && apt-get install -y -qq $(OCR_PACKAGES)) \
		|| echo "Tesseract could not be installed: scanned pages will not be read (OCR)"; \
	else echo "no apt-get: install Tesseract ($(OCR_PACKAGES)) to read scanned pages"; fi

test: $(TEST_STAMP) browser-deps ocr-deps ## Install what the tests need, lint, and run them all
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -q

test-reliability: $(TEST_STAMP) ## Run only the load, crash and re-index tests
	$(BIN)/pytest -q -m reliability -s

lint: $(TEST_STAMP) ## ruff format check and lint
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(TEST_STAMP) ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BENCH_STAMP) ## Full benchmarks (quality, speed, scale): bench/results/, docs/benchmarks.md, docs/scale.md
	$(BIN)/python -m bench.run

bench-quick: $(BENCH_STAMP) ## A few minutes' version of the benchmarks
	$(BIN)/python -m bench.run --quick

bench-relevance: $(BENCH_STAMP) ## Quality benchmarks through files, `report-search index` and HTTP
	$(BIN)/python -m bench.relevance --out bench/results/relevance.json

bench-qa: $(BENCH_STAMP) ## Question-answering evaluation on SQuAD v1.1 dev
	$(BIN)/python -m bench.qa_squad

bench-ocr: $(BENCH_STAMP) ocr-deps ## OCR of a scanned seed report, OCRmyPDF compared (bench/results/ocr.json)
	$(BIN)/python -m bench.ocr

corpus-pdf: $(STAMP) ## Regenerate the PDF version of the seed report
	$(BIN)/python -m indexer.samplepdf corpus/unitar-migration-2009.txt corpus/unitar-migration-2009.pdf

screenshot: $(TEST_STAMP) browser-deps ## Regenerate docs/screenshot.png from an index of corpus/ in Chromium
	$(BIN)/python docs/make_screenshot.py

clean: ## Remove the virtualenv, the index and caches
	rm -rf $(VENV) var .pytest_cache .ruff_cache bench/work

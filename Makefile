# The two quick-start commands: `make demo` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit integration-lean integration-async bench bench-transport bench-orm clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dbtooling demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

typecheck: $(STAMP)
	$(BIN)/mypy --strict src tests/typing
	MYPYPATH=examples $(BIN)/mypy --strict -p blog_api

unit: $(STAMP)
	$(BIN)/pytest -q

# The integration suite again on the lean driver (the default run above uses botocore).
integration-lean: $(STAMP)
	DBTOOLING_DRIVER=lean $(BIN)/pytest -q -m "integration and not processes and not heavy"

# And in its async form: every sync call sent by the lean driver's async face (httpx async).
integration-async: $(STAMP)
	DBTOOLING_DRIVER=lean DBTOOLING_TEST_EXECUTION=async $(BIN)/pytest -q -m "integration and not processes and not heavy"

test: lint typecheck unit integration-lean integration-async

bench: $(STAMP)
	$(BIN)/python bench/marshal.py

bench-transport: $(STAMP)
	$(BIN)/python bench/transport.py

bench-orm: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/orm.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis

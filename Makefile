# Two commands: `make run` (set up and start the bot) and `make test` (set up and run the suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CONFIG ?= config.toml

.PHONY: run test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(CONFIG): | $(VENV)/.installed
	$(PY) -m bot init-config --config $(CONFIG)

run: $(VENV)/.installed $(CONFIG)
	$(PY) -m bot migrate --config $(CONFIG)
	$(PY) -m bot run --config $(CONFIG)

# pytest exits 5 when it collected no test; make then fails, and so does CI.
test: $(VENV)/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

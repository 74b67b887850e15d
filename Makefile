# Two commands: `make run` (set up and start the bot) and `make test` (set up and run the suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CONFIG ?= config.toml
PLAYGROUND_PORT ?= 8080

.PHONY: run test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(CONFIG): | $(VENV)/.installed
	$(PY) -m bot init-config --config $(CONFIG)

# With a token (in $(CONFIG) or TPK_TELEGRAM_TOKEN) the real bot; without one the playground,
# the same bot in a browser on 127.0.0.1, which says so in one line (exit 3: there is a token).
run: $(VENV)/.installed $(CONFIG)
	@$(PY) -m bot playground --config $(CONFIG) --if-no-token --port $(PLAYGROUND_PORT); \
	status=$$?; [ $$status -eq 3 ] || exit $$status; \
	$(PY) -m bot migrate --config $(CONFIG) && exec $(PY) -m bot run --config $(CONFIG)

# pytest exits 5 when it collected no test; make then fails, and so does CI. The suite runs
# in TEST_WORKERS processes (pytest-xdist; each test has its own database, ports and folders):
# most of a test's time is waiting (the bot and the emulator on each other, PostgreSQL, child
# processes): three workers kept 1.25 of the 2 cores busy, so five. TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= 5
test: $(VENV)/.installed
	$(PY) -m pytest -n $(TEST_WORKERS)

# Every benchmark at its full size; each ends with `name: value (baseline …, ratio …)`.
# One alone: .venv/bin/python bench/bench_<name>.py --help (each takes a size argument).
BENCHES := bench_conversation bench_dispatch bench_rekap bench_ekspor bench_reminders_memory bench_fairness
bench: $(VENV)/.installed
	@mkdir -p bench/out
	@for b in $(BENCHES); do echo "== $$b"; $(PY) bench/$$b.py || exit 1; done 2>&1 | tee bench/out/latest.txt

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Two commands on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000
# Some machines (CI images among them) set PYTHONDONTWRITEBYTECODE: then every process, each
# test worker, server and command the tests start, compiles all of Django and Dinghuo again
# (about 7 s of CPU each). Bytecode goes to __pycache__ (git-ignored) instead.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install lint bench migrate clean translations

$(UV):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv || $(PYTHON) -m pip install --quiet uv

install: $(UV)
	@$(UV) sync --frozen --quiet

run: install ## Install, load the demo data on SQLite and serve at http://127.0.0.1:8000
	@$(UV) run dinghuo secret_key --verbosity 0
	@$(UV) run dinghuo migrate --verbosity 0
	@$(UV) run dinghuo demo --if-empty
	@$(UV) run dinghuo compile_translations --verbosity 0
	@$(UV) run dinghuo collectstatic --noinput --verbosity 0
	@$(UV) run dinghuo serve --bind $(HOST):$(PORT)

test: install ## Install and run the whole test suite (SQLite, then PostgreSQL-only tests)
	@$(UV) run bash scripts/test.sh

lint: install
	@$(UV) run ruff check src tests bench
	@$(UV) run ruff format --check src tests bench
	@$(UV) run mypy
	@$(UV) run lint-imports

translations: install ## Update the .po catalogs from the templates and code, then compile them
	@$(UV) run dinghuo extract_translations
	@$(UV) run dinghuo compile_translations

bench: install ## Benchmark on PostgreSQL; prints figures and ratios
	@$(UV) run python -m bench.run

clean:
	rm -rf var staticfiles .venv

.PHONY: run test setup lint bench-search

run:          ## install, migrate, seed demo data, start redis + worker + app
	bash scripts/run.sh

test:         ## install, then run every test (lint, unit, e2e)
	bash scripts/test.sh

setup:        ## install only
	bash scripts/bootstrap.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench-search:
	.venv/bin/python bench/search.py --orders 1000000

#!/usr/bin/env bash
# `make test`: installs everything, then lint, unit / worker tests and end-to-end tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
source scripts/env.sh

ruff check .
ruff format --check .
python -m pytest -q "$@"

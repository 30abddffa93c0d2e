#!/usr/bin/env bash
# Installs everything ecweb needs on a fresh Debian machine with Python 3.11, Node and apt.
# Idempotent and quick when nothing changed: each step checks before it installs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian packages: redis-server (broker), chromium (end-to-end tests), IPAex fonts (Japanese PDFs),
# poppler-utils (pdftoppm: the PDF一括出力 preview image; pdffonts / pdftotext to check PDFs).
need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || need_apt+=(fonts-ipaexfont)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Python virtualenv with the project and its dev tools; redone when pyproject.toml changes.
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=".venv/.ecweb-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: pip install -e .[dev]"
  .venv/bin/pip install -q --disable-pip-version-check -U pip
  .venv/bin/pip install -q --disable-pip-version-check -e ".[dev]"
  echo "$want" > "$stamp"
fi

# bun for Reflex's frontend, from the npm registry (Reflex's own download cannot reach its host).
BUN_VERSION=1.4.5
if [ "$(.tools/node_modules/.bin/bun --version 2>/dev/null)" != "$BUN_VERSION" ]; then
  echo "bootstrap: npm install bun@$BUN_VERSION"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "bun@$BUN_VERSION" >/dev/null
fi
mkdir -p var

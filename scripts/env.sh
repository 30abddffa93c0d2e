# Sourced by the run and test scripts: keeps Reflex offline and every cache inside the project.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.venv/bin:$PATH"
export REFLEX_DIR="$ROOT/.tools/reflex"
export REFLEX_BUN_PATH="$ROOT/.tools/node_modules/.bin/bun"
export BUN_INSTALL_CACHE_DIR="$ROOT/.tools/bun-cache"
export BUN_RUNTIME_TRANSPILER_CACHE_PATH="$ROOT/.tools/bun-transpiler-cache"
export REFLEX_TELEMETRY_ENABLED=false
export REFLEX_CHECK_LATEST_VERSION=false
export REFLEX_HTTP_CLIENT_BIND_ADDRESS=0.0.0.0
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)}"
export PYTHONUNBUFFERED=1

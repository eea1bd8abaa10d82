#!/usr/bin/env bash
# Regenerate requirements.lock (runtime + dev extras, exact pins) from pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

PIP_COMPILE=.venv/bin/pip-compile
if [[ ! -x $PIP_COMPILE ]]; then
    echo "lock.sh: $PIP_COMPILE not found; run 'make setup' first (pip-tools is in the dev extra)" >&2
    exit 1
fi

"$PIP_COMPILE" --quiet --strip-extras --no-emit-index-url --no-emit-trusted-host --no-emit-find-links \
    --extra dev --output-file requirements.lock "$@" pyproject.toml
echo "lock.sh: wrote requirements.lock ($(grep -c '^[a-zA-Z0-9]' requirements.lock) pins)"

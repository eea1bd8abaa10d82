#!/usr/bin/env bash
# The console's API types, generated from the OpenAPI document.
#   scripts/types.sh            write frontend/src/api/schema.d.ts (make types)
#   scripts/types.sh --check    fail if the committed file differs from what the
#                               current document gives (scripts/test.sh runs this)
# Expects `make setup` (the .venv and frontend/node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=frontend/src/api/schema.d.ts
GENERATOR=frontend/node_modules/.bin/openapi-typescript
if [[ ! -x $GENERATOR || ! -x .venv/bin/python ]]; then
    echo "types.sh: run 'make setup' first ($GENERATOR or .venv missing)" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python scripts/openapi.py > "$work/openapi.json"
"$GENERATOR" "$work/openapi.json" --output "$work/schema.d.ts" >/dev/null 2>"$work/log" || {
    cat "$work/log" >&2; exit 1; }

if [[ ${1:-} == --check ]]; then
    if ! diff -u "$TARGET" "$work/schema.d.ts" > "$work/diff"; then
        head -n 40 "$work/diff"
        echo
        echo "types: $TARGET does not match the OpenAPI document of the current code."
        echo "       Regenerate and commit it:  make types && git add $TARGET"
        exit 1
    fi
    echo "types: $TARGET matches the OpenAPI document"
else
    cp "$work/schema.d.ts" "$TARGET"
    echo "types: wrote $TARGET"
fi

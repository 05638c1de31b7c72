#!/usr/bin/env bash
# Regenerate action.yml (root), docs/reference/inputs.md, docs/configuration.md and schema/erp-deploy.schema.json
# from the action.yml files and the configuration code (src/docs/). `--check`: change nothing, fail when stale.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.erp-deploy/gen-docs
rm -rf "$out"
mkdir -p "$out"
cat > "$out/tsconfig.json" <<'JSON'
{
  "extends": "../../tsconfig.json",
  "compilerOptions": { "noEmit": false, "outDir": ".", "rootDir": "../..", "sourceMap": false },
  "include": [],
  "files": ["../../src/docs/main.ts"]
}
JSON
npx tsc -p "$out/tsconfig.json"
# tsc emits no .js sources: the generated validators the compiled code imports are copied beside it.
find src -name '*.generated.js' -exec cp --parents {} "$out" \;
node "$out/src/docs/main.js" "$@" "$PWD"

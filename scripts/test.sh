#!/usr/bin/env bash
# `npm test`: typecheck, lint, the OpenAPI linter, the admin extensions' build check, the whole
# suite on the embedded database (PGlite), then the database suite (tests/) again on PostgreSQL when
# TEST_DATABASE_URL is set. Prints how many ran on each.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-chromium.sh

echo "== typecheck"
npm run --silent typecheck
echo "== lint"
npm run --silent lint
echo "== OpenAPI lint (Redocly recommended rules)"
npm run --silent lint:openapi
echo "== admin extensions (type-check and bundle each)"
npm run --silent build:extensions

reports=$(mktemp -d)
count() {
  node -e '
    const r = require(process.argv[1]);
    console.log(`${process.argv[2]}: ${r.numPassedTests} passed, ${r.numFailedTests} failed` +
      (r.numPendingTests + r.numTodoTests ? `, ${r.numPendingTests + r.numTodoTests} skipped` : ""));
  ' "$1" "$2"
}

echo "== tests on PGlite"
status=0
env -u TEST_DATABASE_URL npx vitest run --reporter=default --reporter=json \
  --outputFile.json="$reports/pglite.json" || status=$?
pglite=$(count "$reports/pglite.json" PGlite)

postgres=""
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== database suite on PostgreSQL"
  npx vitest run tests/ --reporter=default --reporter=json \
    --outputFile.json="$reports/postgres.json" || status=$?
  postgres=$(count "$reports/postgres.json" PostgreSQL)
fi

echo
echo "$pglite"
[ -n "$postgres" ] && echo "$postgres"
node -e '
  const files = process.argv.slice(1).map((f) => require(f));
  const p = files.reduce((n, r) => n + r.numPassedTests, 0);
  const f = files.reduce((n, r) => n + r.numFailedTests, 0);
  console.log(`${p} passed, ${f} failed`);
' "$reports"/*.json
exit $status

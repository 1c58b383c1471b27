#!/usr/bin/env bash
# Runs the property-based fuzz targets for long, for a manual or scheduled job.
#
#   ./scripts/fuzz.sh            every target
#   ./scripts/fuzz.sh segment    the targets whose name contains "segment"
#
# PROPTEST_CASES (default 100000) sets the cases per property and FUZZ_SECONDS (default 300)
# the time each property may check for; cases left then are only generated, which is cheap at
# the default count. A target is stopped hard after FUZZ_SECONDS + 600 s.
# Failing inputs are saved in the crates' proptest-regressions/ files (commit them); the
# webhook target prints its FUZZ_SEED instead. It runs on SQLite and PostgreSQL, which must
# be reachable as for scripts/test.sh (GROUPCART_TEST_POSTGRES_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

export PROPTEST_CASES="${PROPTEST_CASES:-100000}"
export FUZZ_SECONDS="${FUZZ_SECONDS:-300}"

# name|cargo test arguments
targets=(
  "updates|-p groupcart-telegram --test fuzz_updates"
  "translate|-p groupcart-bot --test fuzz_translate"
  "segment|-p groupcart-core --lib segment::fuzz::"
  "csv|-p groupcart-catalog-csv --test fuzz_import"
  "webhook|-p groupcart-http --test fuzz_webhook"
)

failed=()
for target in "${targets[@]}"; do
  name="${target%%|*}"
  read -r -a args <<<"${target#*|}"
  if [ $# -gt 0 ] && [[ "$name" != *"$1"* ]]; then
    continue
  fi
  echo "== fuzz $name: $PROPTEST_CASES cases, at most ${FUZZ_SECONDS}s per property"
  if ! cargo test "${args[@]}" --no-run --quiet; then
    failed+=("$name (build)")
    continue
  fi
  # Debug assertions stay on; `timeout` is a backstop, FUZZ_SECONDS ends the run itself.
  if ! timeout --kill-after=30 "$((FUZZ_SECONDS + 600))" cargo test "${args[@]}" -- --nocapture; then
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz targets passed"

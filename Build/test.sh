#!/usr/bin/env bash
# Builds the solution and runs every test project; ends with "N passed, N failed, N skipped" from the TRX results.
# Extra arguments go to 'dotnet test' (for example: --filter "FullyQualifiedName~Token").
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

cd "$root"
dotnet test LinqToDB.AuroraDsql.sln --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
while IFS= read -r -d '' trx; do
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  # Skipped tests: NUnit's adapter leaves notExecuted at 0 and counts them only in total.
  not_run=$(( $(value total) - $(value executed) ))
  [ "$not_run" -lt "$(value notExecuted)" ] && not_run=$(value notExecuted)
  skipped=$((skipped + not_run))
done < <(find "$results" -name '*.trx' -print0)

if [ "$files" -eq 0 ]; then
  echo "No test results were produced (build failure?)." >&2
  [ "$status" -eq 0 ] && status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"

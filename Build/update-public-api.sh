#!/usr/bin/env bash
# Records new public API in PublicAPI.Unshipped.txt: builds each packable project, collects the symbols the analyzer
# reports as undeclared (RS0016) and adds them. Review the diff: every line is a public API commitment.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for project in Source/*/*.csproj; do
  dir="$(dirname "$project")"
  [ -f "$dir/PublicAPI.Unshipped.txt" ] || continue

  symbols="$(dotnet build "$project" -p:TreatWarningsAsErrors=false 2>&1 \
    | grep 'RS0016' \
    | grep -F "$root/$dir/" \
    | sed -E "s/.*Symbol '(.*)' is not part of the declared public API.*/\1/" \
    | sort -u || true)"

  if [ -n "$symbols" ]; then
    printf '%s\n' "$symbols" >> "$dir/PublicAPI.Unshipped.txt"
    echo "$dir: $(printf '%s\n' "$symbols" | wc -l) symbol(s) recorded"
  fi
done

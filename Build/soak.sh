#!/usr/bin/env bash
# Soak run of the local endpoint (not part of Build/test.sh): an endpoint in-process under mixed load for a while —
# conflicting transactions through the provider with injected COMMIT failures, bulk copies, async index builds, clients
# that vanish mid-work, a fuzzing client — then checks that the data invariants hold, that no connection or backend
# session is left, and that endpoint threads, file descriptors and memory are back at their baseline. Loopback only.
# Usage: Build/soak.sh [--minutes N] [--seed S]   (default 10 minutes); the report goes to artifacts/soak/.
# Exit code 0 when every check passed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/artifacts/soak"
report="$root/artifacts/soak/soak-$(date -u +%Y%m%dT%H%M%SZ).txt"

cd "$root"
dotnet run -c Release --project Tests/AuroraDsql.Soak -- --report "$report" "$@"
status=$?
echo "report: $report"
exit "$status"

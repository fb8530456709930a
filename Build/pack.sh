#!/usr/bin/env bash
# Packs every project under Source/ (the provider, its DI/configuration package LinqToDB.AuroraDsql.Extensions, the
# local endpoint library, and the two .NET tools: local endpoint and scaffolder) into Build/packages, the local feed
# that nuget.config names. Extra arguments go to 'dotnet pack' (for example: -p:VersionSuffix=preview.1).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

dotnet pack LinqToDB.AuroraDsql.sln -c Release -o Build/packages -p:ContinuousIntegrationBuild=true "$@"
ls -1 Build/packages/*.nupkg

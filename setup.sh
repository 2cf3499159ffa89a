#!/usr/bin/env bash
# One-time set-up on a fresh machine: checks the .NET SDK and restores every NuGet package the solution uses.
# TorchSharp's native library needs no manual fix: the build patches its copy when the host libstdc++ is too old
# (see src/Runtime/buildTransitive/DslKd.targets).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required (https://dotnet.microsoft.com/download); 'dotnet' is not on PATH." >&2
  exit 1
fi
major=$(dotnet --version | cut -d. -f1)
if [ "$major" -lt 10 ]; then
  echo "setup: the .NET SDK is $(dotnet --version); DslKd needs 10.0 or newer." >&2
  exit 1
fi

dotnet restore DslKd.sln
echo "setup: done. Next: 'dotnet run --project examples/CompressionReport' or 'dotnet test DslKd.sln'."

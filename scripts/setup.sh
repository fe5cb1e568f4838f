#!/usr/bin/env bash
# Set up Training Studio in ./.venv. With --dev, also the test tools and a system Chromium.
# Safe to run again: it installs only what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1
PY=${PYTHON:-python3}

if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Training Studio needs Python 3.11 or newer; found: $("$PY" --version 2>&1). Set PYTHON=/path/to/python3.11." >&2
  exit 2
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)

# PyTorch: a CUDA build only where there is an NVIDIA GPU; elsewhere the much smaller CPU build.
if ! .venv/bin/python -c 'import torch' 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "NVIDIA GPU found: installing PyTorch with CUDA"
    "${pip[@]}" install "torch>=2.4"
  elif [ "$(uname -s)" = "Linux" ]; then
    echo "no NVIDIA GPU: installing the CPU build of PyTorch"
    "${pip[@]}" install --retries 1 "torch==2.13.*" --extra-index-url https://download.pytorch.org/whl/cpu
  else
    "${pip[@]}" install "torch>=2.4"
  fi
fi

extra=""
[ $dev = 1 ] && extra="[dev]"
# The stamp holds a hash of pyproject.toml as installed: any change to it (a new dependency, say) installs
# again, whatever the files' times are (a checkout, a restored cache or a venv shared by worktrees).
stamp=".venv/.studio-installed$extra"
want=$(.venv/bin/python -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "installing Training Studio$extra and its dependencies"
  "${pip[@]}" install -e ".$extra"
  echo "$want" > "$stamp"
fi

if [ $dev = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Chromium for the browser tests (Debian packages chromium, chromium-driver)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "warning: no chromium on PATH; the end-to-end tests need it (Debian: apt-get install chromium)" >&2
  fi
fi

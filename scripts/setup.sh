#!/usr/bin/env bash
# Create .venv and install the project with its test tools, from scratch, offline-model safe.
# torch is installed first and pinned to the CPU build: a bare `torch` requirement would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet "torch==2.13.0"
python -m pip install --quiet -e ".[dev]"
echo "setup done: activate with '. .venv/bin/activate'" >&2

#!/bin/sh
# Install Etalase into .venv, prepare a SQLite database with the demo data, start the server and worker.
# PORT (default 8000) and HOST (default 127.0.0.1) choose where it listens.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
venv_ensure
exec .venv/bin/etalase demo "$@"

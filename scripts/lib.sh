# Shared by scripts/demo.sh and scripts/test.sh: find Python >= 3.12 and keep .venv installed.
# shellcheck shell=sh

python_find() {
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.14 python3 python; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    # pyenv keeps other versions installed but not on the PATH's shims.
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
        if [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Etalase needs Python 3.12 or newer (python3.13 or python3.12). Install one and try again." >&2
    return 1
}

# venv_ensure [extra]: create .venv and install Etalase (with the optional extra, e.g. "test").
venv_ensure() {
    extra="${1:-}"
    if [ ! -x .venv/bin/python ]; then
        python=$(python_find)
        echo "Creating .venv with $python"
        "$python" -m venv .venv
    fi
    stamp=".venv/.installed-$(cat pyproject.toml | cksum | cut -d' ' -f1)${extra:+-$extra}"
    if [ ! -f "$stamp" ]; then
        echo "Installing Etalase${extra:+ with its $extra tools} into .venv"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
        spec="."
        [ -n "$extra" ] && spec=".[$extra]"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
        touch "$stamp"
    fi
}

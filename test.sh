#!/usr/bin/env bash
# The whole test suite: installs LibreOffice and poppler where missing (the tests open, re-save
# and print real files with them), the toolkit and its test tools, then lints and tests.
source "$(dirname "$0")/scripts_common.sh"
command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || \
  apt_install libreoffice-calc libreoffice-writer poppler-utils fonts-liberation
echo "Installing the toolkit and its test tools into .venv/..."
pip_install -e ".[test]"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest -q "$@"

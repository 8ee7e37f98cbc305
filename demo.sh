#!/usr/bin/env bash
# The main job on the shipped sample returns: build this round's workbooks, collate the
# (synthetic) sample returns, and write the report, collated data, feedback and returns table.
source "$(dirname "$0")/scripts_common.sh"
echo "Installing the toolkit into .venv/..."
pip_install -e .
.venv/bin/python build_templates.py
.venv/bin/python -m collate sample_returns

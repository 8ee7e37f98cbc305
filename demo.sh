#!/usr/bin/env bash
# The main job on the shipped sample returns: build this round's workbooks, collate the
# (synthetic) sample returns against a synthetic previous round, and write the report, collated
# data, dashboard, feedback and returns table.
source "$(dirname "$0")/scripts_common.sh"
echo "Installing the toolkit into .venv/..."
pip_install -e .
.venv/bin/python build_templates.py
# A synthetic previous round (2025-26) kept in outputs/rounds/, so the report, collated.xlsx and
# dashboard show the progress since then.
.venv/bin/python -m collate.samples.previous_round outputs/rounds
.venv/bin/python -m collate sample_returns --history outputs/rounds

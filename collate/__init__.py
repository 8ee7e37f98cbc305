"""Improvement East anti-racist practice toolkit: return workbooks, collation, scoring and report."""

__version__ = "0.1.0"

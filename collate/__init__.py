"""Improvement East anti-racist practice toolkit: return workbooks, collation, scores, report."""

__version__ = "0.1.0"

"""Tests of the pure measures library, collate.measures."""

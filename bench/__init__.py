"""Benchmarks for Aspire: `python -m bench` (or `make bench`) times the screens on synthetic organisations.

Not a test suite: it prints figures and records them in bench/RESULTS.md; targets are reported, not asserted.
"""

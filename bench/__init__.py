"""Benchmarks of the ledger, the API and the reports at realistic scale (``python -m bench.run``).

Every figure is a ratio against a baseline measured in the same run; see bench/README.md.
"""

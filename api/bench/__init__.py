"""Benchmarks of the API (``stockpilot bench api``)."""

"""Benchmarks run by hand (not tests): see benchmarks/README.md."""

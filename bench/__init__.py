"""Benchmarks: ``bench/run.py`` runs each ``bench_*.py`` module (see ``bench/README.md``)."""

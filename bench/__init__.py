"""Benchmark of the ETL job on local Spark: `python -m bench` / `make bench` (see README.md here)."""

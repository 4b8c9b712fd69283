"""Benchmark of the ETL job on local Spark (issue 6): `python -m bench` / `make bench`."""

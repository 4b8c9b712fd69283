"""`python -m bench.probe INPUT OUTPUT`: run the job once in-process and print its plan statistics."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

from bench.measure import InProcessWorkloads
from etl.session import local_spark


def main(argv: list[str]) -> int:
    spark = local_spark("bench-probe")
    stats = InProcessWorkloads(spark).job_plans(Path(argv[0]), Path(argv[1]))
    print(" ".join(f"{k}={v}" for k, v in asdict(stats).items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""CLI: `python -m datagen sample [--out DIR]` and `python -m datagen big --rows N --out DIR`.

`big --format parquet` writes the 2024 yellow Parquet layout; `--era NAME` picks any TLC era.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from datagen.big import generate
from datagen.eras import DEFAULT_ERA, ERAS
from datagen.manifest import GeneratedSet
from datagen.sample import MANIFEST_NAME, SAMPLE_DIR, write_sample


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m datagen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sample = commands.add_parser("sample", help="write the bundled sample (small, every quirk)")
    sample.add_argument("--out", type=Path, default=SAMPLE_DIR)
    big = commands.add_parser("big", help="write a bench-sized set of plain TLC files")
    big.add_argument("--rows", type=int, required=True)
    big.add_argument("--out", type=Path, required=True)
    big.add_argument("--files", type=int, default=8)
    big.add_argument("--seed", type=int, default=2015)
    big.add_argument("--defect-rate", type=float, default=0.02)
    big.add_argument("--days", type=int, default=31)
    big.add_argument("--workers", type=int, default=2, help="processes writing files (bytes same)")
    big.add_argument(
        "--format",
        choices=sorted(DEFAULT_ERA),
        help="csv: the 2015 yellow CSV layout (default); parquet: the 2024 yellow Parquet layout",
    )
    big.add_argument("--era", choices=sorted(ERAS), help="any TLC layout (implies its format)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code (2 for bad arguments, like argparse)."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    if args.command == "sample":
        generated = write_sample(args.out)
    else:
        era = args.era or DEFAULT_ERA[args.format or "csv"]
        if args.format and ERAS[era].format != args.format:
            print(f"datagen: era {era} is {ERAS[era].format}, not {args.format}", file=sys.stderr)
            return 2
        try:
            generated = generate(
                args.out,
                args.rows,
                args.files,
                args.seed,
                args.defect_rate,
                days=args.days,
                workers=args.workers,
                era=era,
            )
        except ValueError as error:
            print(f"datagen: {error}", file=sys.stderr)
            return 2
        (args.out / MANIFEST_NAME).write_text(generated.to_json(), encoding="utf-8")
    _summary(generated, time.perf_counter() - started)
    return 0


def _summary(generated: GeneratedSet, seconds: float) -> None:
    print(
        f"wrote {len(generated.files)} files, {generated.rows} rows, "
        f"{generated.size_bytes / 1e6:.1f} MB to {generated.out_dir} in {seconds:.1f}s"
    )
    print(
        f"expected: quarantined {generated.expected_quarantined}, "
        f"duplicates {generated.expected_duplicates}, written {generated.expected_written}"
    )


if __name__ == "__main__":
    sys.exit(main())

"""The size of the code Spark generates for the batch's one pass over its input.

HotSpot compiles no method over 8,000 bytes of bytecode (and Spark gives up whole-stage code for
a stage with one: `spark.sql.codegen.hugeMethodLimit` in `etl.pipeline`); a method near that size
takes long to compile, while every task of a fresh executor runs it interpreted. Spark gives an
operator of the pass a method of its own only when the operator uses each of its input columns
at least twice, so these tests keep the pass split that way over the sample's files of every
TLC era, CSV and Parquet, as the rows reach the merge's shuffle (`etl.merge.shuffled_batch`).

The reject rules' method takes every column before it as a parameter (about 80), more than
HotSpot's C2 compiles on x86-64, so it runs as C1's code. Fewer parameters (the raw cells as one
struct) let C2 compile it, for more compile time and no faster pass (see bench/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession

from bench.workloads import session_conf
from etl.batch_read import parse_files
from etl.clustering import ShuffleSize
from etl.contract import DEFAULT_DEDUPE_KEYS
from etl.merge import shuffled_batch
from tests.etl.helpers import TLC_HEADER, plan_nodes, trip_line, write_csv
from tests.etl.parquet_tables import TYPES_2024, write_parquet, yellow_table

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
# The pass of most eras took 7,100-8,400 bytes in one method (over the JIT's limit for many
# eras) while the rebuilt line carried a second copy of each cell past the reject rules, and
# `malformed` crossed them as a column of its own. Split, its largest method is 4,400-6,300
# (Parquet's last method also names each row's file under the input root, for the shuffle).
PASS_LIMIT = 6500
# Layouts with a cell the line alone uses (a column no TLC name maps to, Parquet times in
# nanoseconds, converted on reading) keep the pass in one method, of 9,300-9,800 bytes: over
# `hugeMethodLimit`, so Spark runs that stage without whole-stage code. They did before the
# file's name moved into the pass (8,000-8,500 bytes, over the limit too).
UNSPLIT_LIMIT = 10_000
UNSPLIT = {
    "2015/01/yellow_tripdata_2015-01-03_extra_column.csv",
    "eras/parquet/pandas_export/yellow_tripdata_2022-06.parquet",
}
ERA_FILES = sorted(
    str(path.relative_to(SAMPLE))
    for path in SAMPLE.rglob("*")
    if path.name.endswith((".csv", ".csv.gz", ".parquet")) and "edge_cases" not in path.parts
)


# Whole-stage code on, and planned up front (adaptive execution generates each stage's code only
# when it runs), whatever mode the test session is in.
WHOLE_STAGE_CODE = {
    "spark.sql.codegen.wholeStage": "true",
    "spark.sql.codegen.factoryMode": "FALLBACK",
    "spark.sql.adaptive.enabled": "false",
}


def largest_method(spark: SparkSession, frame: DataFrame) -> int:
    """Bytes of bytecode of the largest method in the code generated for `frame`'s plan."""
    codegen = spark.sparkContext._jvm.org.apache.spark.sql.catalyst.expressions.codegen
    stages = [
        node
        for node in plan_nodes(frame)
        if node.getClass().getSimpleName() == "WholeStageCodegenExec"
    ]
    assert stages, "no whole-stage code in the plan"
    return max(
        codegen.CodeGenerator.compile(stage.doCodeGen()._2())._2().maxMethodCodeSize()
        for stage in stages
    )


def pass_method(spark: SparkSession, files: list[str], root: Path = SAMPLE) -> int:
    """The largest method of the batch's pass over `files` (under `root`), up to the merge's
    shuffle."""
    checked = parse_files(spark, files).checked
    assert checked is not None
    size = ShuffleSize(rows=1_000_000, largest_date=None, dates=None)
    clustered, _ = shuffled_batch(checked, root.as_uri(), DEFAULT_DEDUPE_KEYS, size)
    with session_conf(spark, WHOLE_STAGE_CODE):
        return largest_method(spark, clustered)


def test_the_sample_holds_every_era_and_both_formats():
    assert len(ERA_FILES) >= 20
    assert {Path(name).suffix for name in ERA_FILES} == {".csv", ".gz", ".parquet"}
    assert set(ERA_FILES) >= UNSPLIT


@pytest.mark.parametrize("name", [name for name in ERA_FILES if name not in UNSPLIT])
def test_the_pass_over_each_era_is_split_into_methods_well_under_the_jits_limit(spark, name):
    assert pass_method(spark, [(SAMPLE / name).as_uri()]) <= PASS_LIMIT


@pytest.mark.parametrize("name", sorted(UNSPLIT))
def test_a_pass_left_in_one_method_grows_no_further(spark, name):
    assert pass_method(spark, [(SAMPLE / name).as_uri()]) <= UNSPLIT_LIMIT


def test_a_pass_over_several_layouts_at_once_is_split_too(spark, tmp_path: Path):
    csv = write_csv(tmp_path / "yellow_tripdata_2015-01.csv", [TLC_HEADER, trip_line()])
    parquet = write_parquet(
        tmp_path / "yellow_tripdata_2024-01.parquet", yellow_table(TYPES_2024, "Airport_fee")
    )
    assert pass_method(spark, [csv.as_uri(), parquet], tmp_path) <= PASS_LIMIT

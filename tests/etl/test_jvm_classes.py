"""JVM classes are found once: a Hadoop Path costs one round trip to make, and the classes
PySpark names by short name are pinned on its JVM view."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq
from chispa import assert_df_equality
from py4j.java_gateway import JVMView
from pyspark import SparkContext
from pyspark.sql import DataFrame
from pyspark.sql import functions as sf
from pyspark.sql.column import _to_java_column, _to_seq

from etl.jvm_classes import (
    PYSPARK_SHORT_NAMES,
    StaticsFoundOnce,
    java_class,
    pin_pyspark_classes,
)
from etl.parquet_footer import footer_fields, footer_metadata
from etl.storage import Storage
from tests.etl.helpers import unpin_pyspark_classes

_PATH = "org.apache.hadoop.fs.Path"


def test_a_class_found_once_costs_one_round_trip_per_object(spark, round_trips):
    java_class(spark._jvm, _PATH)("file:/warm-up")
    round_trips.clear()

    paths = [java_class(spark._jvm, _PATH)(f"file:/data/f{i}.csv") for i in range(5)]

    assert len(round_trips) == 5
    assert [str(path.toString()) for path in paths] == [f"file:/data/f{i}.csv" for i in range(5)]


def test_py4j_alone_finds_a_dotted_name_one_segment_at_a_time(spark, round_trips):
    spark._jvm.org.apache.hadoop.fs.Path("file:/warm-up")
    round_trips.clear()

    spark._jvm.org.apache.hadoop.fs.Path("file:/data/f.csv")

    # org, apache, hadoop, fs and Path, each asked of the JVM, then the constructor.
    assert len(round_trips) == 6


def test_a_static_method_found_once_costs_one_round_trip_per_call(spark, round_trips):
    hex_string = java_class(spark._jvm, "java.lang.Integer").toHexString
    round_trips.clear()

    values = [java_class(spark._jvm, "java.lang.Integer").toHexString(n) for n in (15, 255)]

    assert values == ["f", "ff"]
    assert java_class(spark._jvm, "java.lang.Integer").toHexString is hex_string
    assert len(round_trips) == 2


def test_storage_asks_the_jvm_twice_whether_a_path_exists(spark, tmp_path, round_trips):
    (tmp_path / "a.csv").write_text("x\n")
    storage = Storage(spark)
    # The first call also finds the file system of the scheme, kept for every later call.
    storage.exists(tmp_path.as_uri())
    round_trips.clear()

    found = [storage.exists((tmp_path / name).as_uri()) for name in ("a.csv", "b.csv")]

    assert found == [True, False]
    # Each: the Path, then exists.
    assert len(round_trips) == 4


def test_a_parquet_footer_is_read_with_six_round_trips(spark, tmp_path, round_trips):
    path = tmp_path / "trips.parquet"
    pq.write_table(pa.table({"VendorID": pa.array([1], pa.int64()), "fare": [2.5]}), path)
    footer_metadata(spark, path.as_uri())
    round_trips.clear()

    metadata = footer_metadata(spark, path.as_uri())

    # The Path, the Hadoop configuration, the input file, the reader, its metadata, its close.
    assert len(round_trips) == 6
    assert footer_fields(metadata.getSchema()) == [("VendorID", "bigint"), ("fare", "double")]


def _round_trips_of(build: Callable[[int], None], round_trips: list[str]) -> int:
    """Round trips of `build(20)`, after `build(1)` found whatever is found once."""
    build(1)
    round_trips.clear()
    build(20)
    return len(round_trips)


def _columns(count: int) -> None:
    for i in range(count):
        sf.when(sf.col(f"c{i}").isNull(), sf.lit(i))


def test_a_spark_function_costs_one_round_trip_once_pinned(spark, round_trips):
    # sf.col, isNull, sf.lit and sf.when: four calls each, no lookups.
    assert _round_trips_of(_columns, round_trips) == 20 * 4


def test_pyspark_alone_looks_each_function_up_on_every_call(spark, monkeypatch, round_trips):
    unpin_pyspark_classes(monkeypatch, spark.sparkContext._jvm)

    # Each of the three functions adds two lookups (`functions`, then its method).
    assert _round_trips_of(_columns, round_trips) == 20 * (4 + 3 * 2)


def _negated_and_listed(count: int) -> None:
    for i in range(count):
        ~sf.col(f"c{i}")
    _to_seq(SparkContext._active_spark_context, ["a", "b"], _to_java_column)


def test_columns_from_names_negations_and_lists_of_columns_skip_lookups_once_pinned(
    spark, round_trips
):
    # sf.col and `not`, one call each; then the two names' columns, the list (made, then each
    # item added) and PythonUtils.toSeq.
    assert _round_trips_of(_negated_and_listed, round_trips) == 20 * 2 + (2 + 3 + 1)


def test_pyspark_alone_finds_a_short_name_class_on_every_use(spark, monkeypatch, round_trips):
    unpin_pyspark_classes(monkeypatch, spark.sparkContext._jvm)

    # `functions`, then `col` or `not`, found before each call, and before each name's column;
    # `PythonUtils` and `toSeq` before the list's conversion.
    assert _round_trips_of(_negated_and_listed, round_trips) == 20 * (3 + 3) + (2 * 3 + 3 + 3)


def test_each_pinned_name_is_the_class_py4j_finds_and_pinning_twice_keeps_it(spark):
    jvm = spark.sparkContext._jvm
    pinned = {name: vars(jvm)[name] for name in PYSPARK_SHORT_NAMES}

    pin_pyspark_classes(jvm)

    assert {name: vars(jvm)[name] for name in PYSPARK_SHORT_NAMES} == pinned
    assert all(isinstance(found, StaticsFoundOnce) for found in pinned.values())
    found_by_py4j = {name: JVMView.__getattr__(jvm, name)._fqn for name in PYSPARK_SHORT_NAMES}
    assert {name: found._fqn for name, found in pinned.items()} == found_by_py4j
    assert found_by_py4j["functions"] == "org.apache.spark.sql.functions"


def test_columns_built_through_pinned_classes_compute_what_pyspark_computes(spark, monkeypatch):
    frame = spark.createDataFrame([(1, True, None), (None, None, "b"), (3, False, "c")],
                                  "n int, b boolean, s string")  # fmt: skip

    def built() -> DataFrame:
        return frame.select(
            sf.when(sf.col("n").isNull(), sf.lit(-1)).otherwise(sf.col("n") * 2).alias("n2"),
            (~sf.col("b")).alias("not_b"),
            sf.coalesce(sf.upper("s"), sf.lit("none")).alias("s2"),
            sf.concat_ws("-", sf.col("n").cast("string"), "s").alias("joined"),
        )

    expected = spark.createDataFrame(
        [(2, False, "none", "1"), (-1, None, "B", "b"), (6, True, "C", "3-c")],
        "n2 int, not_b boolean, s2 string, joined string",
    )
    assert_df_equality(built(), expected, ignore_nullable=True)
    unpin_pyspark_classes(monkeypatch, spark.sparkContext._jvm)
    assert_df_equality(built(), expected, ignore_nullable=True)

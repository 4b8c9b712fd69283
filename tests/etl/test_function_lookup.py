"""Spark SQL functions are found on the JVM once: building a Column costs one round trip."""

from __future__ import annotations

from typing import Any

import pyspark
from chispa import assert_df_equality
from pyspark.sql import functions as sf

from etl.function_lookup import cache_function_lookups, function_lookups_cached
from tests.etl.helpers import pyspark_function_lookup, unpin_pyspark_classes


def _columns(count: int) -> None:
    for i in range(count):
        sf.when(sf.col(f"c{i}").isNull(), sf.lit(i))


def test_a_function_costs_one_round_trip_once_found(spark, round_trips):
    _columns(1)
    round_trips.clear()

    _columns(20)

    # sf.col, isNull, sf.lit and sf.when: four calls each, no lookups.
    assert len(round_trips) == 20 * 4


def test_pyspark_alone_looks_each_function_up_on_every_call(spark, monkeypatch, round_trips):
    monkeypatch.setattr(sf, "_get_jvm_function", pyspark_function_lookup)
    unpin_pyspark_classes(monkeypatch, spark.sparkContext._jvm)
    _columns(1)
    round_trips.clear()

    _columns(20)

    # Each of the three functions adds two lookups (the class, then its method).
    assert len(round_trips) == 20 * (4 + 3 * 2)


def test_columns_built_with_functions_found_once_compute_what_pyspark_computes(spark, monkeypatch):
    frame = spark.createDataFrame([(1, None), (None, "b"), (3, "c")], "n int, s string")

    def built() -> Any:
        return frame.select(
            sf.when(sf.col("n").isNull(), sf.lit(-1)).otherwise(sf.col("n") * 2).alias("n2"),
            sf.coalesce(sf.upper("s"), sf.lit("none")).alias("s2"),
            sf.concat_ws("-", sf.col("n").cast("string"), "s").alias("joined"),
        )

    expected = spark.createDataFrame(
        [(2, "none", "1"), (-1, "B", "b"), (6, "C", "3-c")], "n2 int, s2 string, joined string"
    )
    assert_df_equality(built(), expected, ignore_nullable=True)
    monkeypatch.setattr(sf, "_get_jvm_function", pyspark_function_lookup)
    assert_df_equality(built(), expected, ignore_nullable=True)


def test_installing_twice_is_harmless_and_pyspark_4_is_left_alone(monkeypatch):
    cache_function_lookups()
    cache_function_lookups()
    assert function_lookups_cached()

    monkeypatch.setattr(sf, "_get_jvm_function", pyspark_function_lookup)
    monkeypatch.setattr(pyspark, "__version__", "4.0.0")
    cache_function_lookups()
    assert not function_lookups_cached()
    assert sf._get_jvm_function is pyspark_function_lookup

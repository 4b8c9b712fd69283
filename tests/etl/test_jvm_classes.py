"""JVM classes are found once by their full names: a Hadoop Path costs one round trip to make."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from etl.jvm_classes import java_class, static_method
from etl.parquet_footer import footer_fields, footer_metadata
from etl.storage import Storage

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
    hex_string = static_method(spark._jvm, "java.lang.Integer", "toHexString")
    round_trips.clear()

    values = [static_method(spark._jvm, "java.lang.Integer", "toHexString")(n) for n in (15, 255)]

    assert values == ["f", "ff"]
    assert static_method(spark._jvm, "java.lang.Integer", "toHexString") is hex_string
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

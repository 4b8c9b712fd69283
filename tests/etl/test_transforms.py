"""The parse and check transforms on a few in-memory rows, without files: each is a
`DataFrame -> DataFrame` function that names the columns it needs."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_approx_df_equality, assert_df_equality
from pyspark.sql.types import StringType, StructField, StructType

from etl.columns import LAYOUT_STATUS, REJECT_REASON, MissingColumnsError, raw_column
from etl.layout import LAYOUT_MISSING_REQUIRED, LAYOUT_OK
from etl.metrics import hourly_metrics, with_pickup_date
from etl.parse import type_values
from etl.quarantine import with_reject_reason
from etl.schema import CANONICAL_NAMES, HOURLY_METRICS_SCHEMA
from tests.etl.helpers import TRIP_FIELDS, trip

CELLS = StructType(
    [
        StructField(LAYOUT_STATUS, StringType()),
        *(StructField(raw_column(name), StringType()) for name in CANONICAL_NAMES),
    ]
)


def _cells(spark, rows: list[dict[str, str | None]], status: str = LAYOUT_OK):
    """String cells as a reader leaves them: every canonical column, null when not given."""
    data = [(status, *(row.get(name) for name in CANONICAL_NAMES)) for row in rows]
    return spark.createDataFrame(data, CELLS)


def test_type_values_types_each_cell_and_keeps_the_string(spark):
    cells = _cells(
        spark,
        [
            {"vendor_id": "VTS", "pickup_datetime": "2009-01-04 02:52:00", "total_amount": "9.4"},
            {"vendor_id": "2", "pickup_datetime": "01/15/2019 02:05:33 PM", "total_amount": "$3"},
            {"payment_type": "No Charge", "store_and_fwd_flag": "1", "trip_type": "1.0"},
        ],
    )
    actual = type_values(cells).select(
        "vendor_id",
        "pickup_datetime",
        "total_amount",
        raw_column("total_amount"),
        "payment_type",
        "store_and_fwd_flag",
        "trip_type",
    )
    expected = spark.createDataFrame(
        [
            (2, dt.datetime(2009, 1, 4, 2, 52), 9.4, "9.4", None, None, None),
            (2, dt.datetime(2019, 1, 15, 14, 5, 33), None, "$3", None, None, None),
            (None, None, None, None, 3, "Y", 1),
        ],
        f"vendor_id int, pickup_datetime timestamp, total_amount double, "
        f"{raw_column('total_amount')} string, payment_type int, store_and_fwd_flag string, "
        f"trip_type int",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_with_reject_reason_gives_the_first_rule_broken(spark):
    valid = {"pickup_datetime": "2015-01-15 19:05:39", "total_amount": "17.05"}
    cells = _cells(
        spark,
        [
            valid,
            {**valid, "total_amount": "$17.05"},
            {**valid, "passenger_count": "12", "total_amount": "-1"},
            {**valid, "dropoff_datetime": "2015-01-15 19:00:00"},
            {**valid, "vendor_id": "DDS"},  # a vendor without a TLC code: null, valid
            {**valid, "vendor_id": "D1"},
            {"total_amount": "1"},
        ],
    )
    actual = with_reject_reason(type_values(cells)).select(REJECT_REASON)
    expected = spark.createDataFrame(
        [
            (None,),
            ("invalid_total_amount",),
            ("passenger_count_out_of_range",),
            ("dropoff_before_pickup",),
            (None,),
            ("invalid_value",),
            ("missing_pickup_datetime",),
        ],
        f"{REJECT_REASON} string",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)

    whole_file = with_reject_reason(type_values(_cells(spark, [valid], LAYOUT_MISSING_REQUIRED)))
    assert whole_file.select(REJECT_REASON).first()[0] == "missing_required_column"


def test_a_stage_names_the_columns_it_is_missing(spark):
    cells = _cells(spark, [{}]).drop(raw_column("total_amount"))
    with pytest.raises(MissingColumnsError, match="_raw_total_amount"):
        type_values(cells)
    typed = type_values(_cells(spark, [{}])).drop(LAYOUT_STATUS)
    with pytest.raises(MissingColumnsError, match=LAYOUT_STATUS):
        with_reject_reason(typed)


def test_hourly_metrics_of_location_era_trips_without_coordinates(spark):
    rows = [
        trip(
            dt.datetime(2024, 1, 1, 0, 57), None, 22.7, "y", passenger_count=1, pu_location_id=186
        ),
        trip(
            dt.datetime(2024, 1, 1, 0, 3), None, 18.75, "y", trip_distance=1.8, pu_location_id=140
        ),
    ]
    trips = with_pickup_date(spark.createDataFrame(rows, TRIP_FIELDS))
    expected = spark.createDataFrame(
        [(dt.datetime(2024, 1, 1, 0), 2, 41.45, 1.0, 1.8, dt.date(2024, 1, 1))],
        HOURLY_METRICS_SCHEMA,
    )
    assert_approx_df_equality(hourly_metrics(trips), expected, 1e-9, ignore_nullable=True)

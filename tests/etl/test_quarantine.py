"""Each quarantine rule, its precedence, and the valid/quarantine split."""

from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import DataFrame
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType

from etl.layout import layout_for
from etl.local import run
from etl.parse import type_values
from etl.quarantine import REASON_CODES, quarantine_shape, quarantined_rows, rules, valid_rows
from etl.read import read_layout_group
from etl.schema import CANONICAL_NAMES, QUARANTINE_SCHEMA
from tests.etl.helpers import DEFAULTS, TLC_HEADER, checked_rows, trip_line, write_csv

REASON_SCHEMA = StructType(
    [StructField("raw_line", StringType(), True), StructField("reject_reason", StringType(), True)]
)

# (line, expected reason): one case per rule, in rule order, plus edge cases around each rule.
CASES: list[tuple[str, str | None]] = [
    (trip_line(), None),
    (trip_line() + ",surplus", "malformed_line"),
    (trip_line(store_and_fwd_flag='"N'), "malformed_line"),
    (trip_line().rsplit(",", 1)[0], "malformed_line"),
    (trip_line(pickup_datetime=""), "missing_pickup_datetime"),
    (trip_line(pickup_datetime="   "), "missing_pickup_datetime"),
    (trip_line(pickup_datetime="2015-13-45 99:00:00"), "invalid_pickup_datetime"),
    (trip_line(pickup_datetime="yesterday"), "invalid_pickup_datetime"),
    (trip_line(total_amount=""), "missing_total_amount"),
    (trip_line(total_amount="$17.05"), "invalid_total_amount"),
    (trip_line(trip_distance='"1,234.5"'), "invalid_value"),
    (trip_line(fare_amount="$12.00"), "invalid_value"),
    (trip_line(passenger_count="1.5"), "invalid_value"),
    (trip_line(vendor_id="99999999999"), "invalid_value"),
    (trip_line(dropoff_datetime="soon"), "invalid_value"),
    (trip_line(pickup_longitude="NaN"), "invalid_value"),
    (trip_line(passenger_count="10"), "passenger_count_out_of_range"),
    (trip_line(passenger_count="-1"), "passenger_count_out_of_range"),
    (trip_line(dropoff_datetime="2015-01-15 19:05:38"), "dropoff_before_pickup"),
    (trip_line(total_amount="-0.01"), "total_amount_out_of_range"),
    (trip_line(total_amount="10000.01"), "total_amount_out_of_range"),
    # Boundaries and nulls that must stay valid.
    (trip_line(passenger_count="0", total_amount="0"), None),
    (trip_line(passenger_count="9.0", total_amount="10000"), None),
    (trip_line(passenger_count="", dropoff_datetime="", fare_amount=""), None),
    (trip_line(dropoff_datetime=DEFAULTS["pickup_datetime"]), None),
    # Precedence: the earliest rule wins.
    (trip_line(pickup_datetime="", total_amount="$1"), "missing_pickup_datetime"),
    (trip_line(total_amount="x", fare_amount="y"), "invalid_total_amount"),
    (trip_line(passenger_count="12", total_amount="-3"), "passenger_count_out_of_range"),
]


def _kept_line(line: str, reason: str | None) -> str | None:
    """The `raw_line` a checked row keeps: none when valid; the line as written when malformed;
    otherwise the cells written back as CSV (surrounding spaces are not kept)."""
    if reason is None:
        return None
    if reason == "malformed_line":
        return line
    return ",".join(cell.strip() for cell in line.split(","))


def test_each_rule_gives_its_reason(spark, tmp_path):
    checked = checked_rows(spark, tmp_path, {"f.csv": [TLC_HEADER, *(line for line, _ in CASES)]})
    expected = spark.createDataFrame(
        [(_kept_line(line, reason), reason) for line, reason in CASES], REASON_SCHEMA
    )
    assert_df_equality(
        checked.select("raw_line", "reject_reason"),
        expected,
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_file_level_rules_reject_every_row(spark, tmp_path):
    no_total = TLC_HEADER.rsplit(",", 1)[0]
    files = {
        "no_header.csv": [trip_line(), trip_line(vendor_id="2")],
        "no_total.csv": [no_total, trip_line().rsplit(",", 1)[0]],
    }
    expected = spark.createDataFrame(
        [
            ("no_header.csv", trip_line(), "missing_header"),
            ("no_header.csv", trip_line(vendor_id="2"), "missing_header"),
            ("no_total.csv", trip_line().rsplit(",", 1)[0], "missing_required_column"),
        ],
        StructType([StructField("source_file", StringType(), True), *REASON_SCHEMA.fields]),
    )
    actual = checked_rows(spark, tmp_path, files).select("source_file", "raw_line", "reject_reason")
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_reason_codes_are_the_rules_in_order(spark, tmp_path):
    path = write_csv(tmp_path / "f.csv", [TLC_HEADER, trip_line()])
    typed = type_values(read_layout_group(spark, layout_for(TLC_HEADER), [path.as_uri()]).frame)
    # invalid_encoding is decided from the line once the rules have run (checked_shape).
    expected = tuple(code for code in REASON_CODES if code != "invalid_encoding")
    assert tuple(code for code, _ in rules(typed)) == expected


def test_bytes_that_are_not_utf8_are_quarantined_not_altered(spark, tmp_path):
    mixed = (
        trip_line(store_and_fwd_flag="\ufffd", fare_amount="12@").encode().replace(b"@", b"\xe9")
    )
    lines = [
        TLC_HEADER.encode(),
        trip_line(store_and_fwd_flag="\xe9").encode("latin-1"),  # Windows-1252 e-acute
        trip_line(fare_amount="12\xa0").encode("latin-1"),
        trip_line(store_and_fwd_flag="\xe9").encode("utf-8"),  # valid UTF-8, not a flag
        trip_line(store_and_fwd_flag="\ufffd").encode("utf-8"),  # a real U+FFFD is text
        # A real U+FFFD does not hide a byte that is not UTF-8 on the same line.
        mixed,
        trip_line().encode(),
    ]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "f.csv").write_bytes(b"\n".join(lines) + b"\n")
    # A file without a header keeps its lines as read, bytes included.
    (tmp_path / "in" / "g.csv").write_bytes(b"no,header,\xe9\r\n")

    report = run(spark, tmp_path / "in", tmp_path / "out", full_refresh=False)

    assert report.reasons == {"invalid_encoding": 3, "invalid_value": 2, "missing_header": 1}
    quarantine = spark.read.schema(QUARANTINE_SCHEMA).parquet(str(tmp_path / "out" / "quarantine"))
    actual = quarantine.select("store_and_fwd_flag", "fare_amount", "raw_line", "reject_reason")
    # Lines that are not UTF-8 keep their bytes, one latin-1 character each; the valid UTF-8
    # line is text again.
    expected = spark.createDataFrame(
        [
            ("\xe9", "12.0", trip_line(store_and_fwd_flag="\xe9"), "invalid_encoding"),
            ("N", "12\xa0", trip_line(fare_amount="12\xa0"), "invalid_encoding"),
            ("\xe9", "12.0", trip_line(store_and_fwd_flag="\xe9"), "invalid_value"),
            ("\ufffd", "12.0", trip_line(store_and_fwd_flag="\ufffd"), "invalid_value"),
            (
                "\ufffd".encode().decode("latin-1"),
                "12\xe9",
                mixed.decode("latin-1"),
                "invalid_encoding",
            ),
            (None, None, "no,header,\xe9", "missing_header"),
        ],
        "store_and_fwd_flag string, fare_amount string, raw_line string, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_quarantine_keeps_original_strings(spark, tmp_path):
    bad = trip_line(fare_amount="$12.00", total_amount=" 17.05 ", trip_distance='"1,5"')
    checked = checked_rows(spark, tmp_path, {"f.csv": [TLC_HEADER, bad, trip_line()]})
    originals = {**DEFAULTS, "fare_amount": "$12.00", "trip_distance": "1,5", "service": "yellow"}
    expected = spark.createDataFrame(
        [
            (
                *(originals.get(name) for name in CANONICAL_NAMES),
                bad.replace(" 17.05 ", "17.05"),
                "invalid_value",
                "f.csv",
                "run-1",
            )
        ],
        QUARANTINE_SCHEMA,
    )
    assert_df_equality(quarantined_rows(checked, "run-1"), expected, ignore_nullable=True)


def test_rows_known_to_be_rejected_are_shaped_without_a_filter(spark, tmp_path):
    bad = trip_line(fare_amount="$12.00", pickup_datetime="")
    checked = checked_rows(spark, tmp_path, {"f.csv": [TLC_HEADER, bad, trip_line(), bad + ",x"]})
    rejected = checked.where(sf.col("reject_reason").isNotNull())

    shaped = quarantine_shape(rejected, "run-1")

    assert_df_equality(shaped, quarantined_rows(checked, "run-1"), ignore_row_order=True)
    assert shaped.count() == 2
    # No filter of its own, which Spark would push below the unpacking of rows read back.
    assert _filters(shaped) == _filters(rejected)
    assert _filters(quarantined_rows(rejected, "run-1")) > _filters(rejected)


def _filters(frame: DataFrame) -> int:
    """Filter nodes in the frame's analyzed plan."""
    return frame._jdf.queryExecution().analyzed().toString().count("Filter ")


def test_valid_rows_are_typed_and_complete(spark, tmp_path):
    checked = checked_rows(
        spark, tmp_path, {"f.csv": [TLC_HEADER, trip_line(), trip_line(extra="x")]}
    )
    valid = valid_rows(checked)
    assert valid.columns == [*CANONICAL_NAMES, "source_file", "pickup_date"]
    row = valid.select(
        sf.col("pickup_datetime").cast("string").alias("pickup"),
        "passenger_count",
        "total_amount",
        "airport_fee",
    )
    expected = spark.createDataFrame(
        [("2015-01-15 19:05:39", 1, 17.05, None)],
        "pickup string, passenger_count int, total_amount double, airport_fee double",
    )
    assert_df_equality(row, expected, ignore_nullable=True)

"""Reading input files: header layouts, grouping by header, first lines and the CSV read itself."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType

from etl.batch_read import parse_files
from etl.contract import normalise_header, not_taxi_trips
from etl.layout import (
    LAYOUT_MISSING_HEADER,
    LAYOUT_MISSING_REQUIRED,
    LAYOUT_OK,
    group_by_layout,
    header_cells,
    layout_for,
)
from etl.read import relative_to_root
from etl.reject_folder import raw_string
from etl.report import SkippedFile
from etl.state import (
    BROKEN_LINK,
    NOT_UTF8_NAME,
    UNNAMED_BY_JVM,
    list_input_files,
    unlisted_local_files,
)
from etl.storage import MisnamedGzipError, Storage
from tests.etl.helpers import TLC_HEADER, checked_rows, trip_line, with_source_paths, write_csv

SEED_HEADER = TLC_HEADER.replace("tpep_", "").replace("VendorID", "vendor_id")


def test_layout_maps_positions_and_reports_missing_and_unknown_columns():
    layout = layout_for("tpep_pickup_datetime,Extra_Col,VendorID,Fare_Amt,VendorID")
    assert layout.positions == {"pickup_datetime": 1, "vendor_id": 3, "fare_amount": 4}
    assert len(layout.cells) == 5
    assert layout.unknown_columns == ("extra_col",)
    assert layout.status == LAYOUT_MISSING_REQUIRED
    assert layout.missing_required == ("total_amount",)
    assert layout_for(TLC_HEADER).status == LAYOUT_OK
    # Only pickup_datetime and total_amount are required: the seed's two-column file loads.
    assert layout_for("pickup_datetime,total_amount").status == LAYOUT_OK


def test_a_header_names_at_least_two_canonical_columns():
    assert layout_for("VendorID,Total_Amount").has_header
    assert layout_for(trip_line()).status == LAYOUT_MISSING_HEADER
    assert layout_for(trip_line()).unknown_columns == ()
    assert layout_for("1,foo").status == LAYOUT_MISSING_HEADER
    # Names only, none known: a header of unknown columns, not a row of data.
    unknown = layout_for("medallion, hack_license ,Fare")
    assert unknown.status == LAYOUT_MISSING_REQUIRED
    assert unknown.unknown_columns == ("fare", "hack_license", "medallion")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("fhv_tripdata_2019-01.csv", "for_hire_vehicle_trips"),
        ("FHVHV_tripdata_2024-01.parquet", "for_hire_vehicle_trips"),
        # The zone table under each name its addresses gave it, and as a browser saves a copy.
        ("taxi_zone_lookup.csv", "taxi_zone_lookup"),
        ("taxi+_zone_lookup.csv", "taxi_zone_lookup"),
        ("taxi _zone_lookup.csv", "taxi_zone_lookup"),
        ("Taxi_Zone_Lookup (1).csv", "taxi_zone_lookup"),
        ("yellow_tripdata_2024-01.parquet", None),
        ("green_tripdata_2015-01.csv.gz", None),
        ("zone_lookup_trips.csv", None),
    ],
)
def test_files_the_tlc_publishes_beside_the_taxi_trips_are_known_by_name(name, kind):
    assert not_taxi_trips(name) == kind


def test_header_cells_follow_csv_quoting_and_drop_a_bom():
    line = '\ufeff"VendorID", "tpep_pickup_datetime" ,"a,b",'
    assert header_cells(line) == ("VendorID", "tpep_pickup_datetime", "a,b", "")
    assert [normalise_header(c) for c in header_cells(line)] == [
        "vendor_id",
        "pickup_datetime",
        "a,b",
        "",
    ]


def test_files_are_grouped_by_header_line_and_empty_files_left_out():
    groups = group_by_layout(
        [
            ("s3://b/2.csv", TLC_HEADER, (trip_line(),)),
            ("s3://b/1.csv", "\ufeff" + TLC_HEADER, ()),
            ("s3://b/seed.csv", SEED_HEADER, ()),
            ("s3://b/empty.csv", None, ()),
            ("s3://b/raw.csv", trip_line(), (trip_line(),)),
        ]
    )
    assert {layout.header: files for layout, files in groups.items()} == {
        TLC_HEADER: ["s3://b/1.csv", "s3://b/2.csv"],
        SEED_HEADER: ["s3://b/seed.csv"],
        trip_line(): ["s3://b/raw.csv"],
    }
    assert [layout.status for layout in groups] == [LAYOUT_OK, LAYOUT_MISSING_HEADER, LAYOUT_OK]


def test_first_line_skips_blank_lines_and_reads_gzip(spark, tmp_path):
    storage = Storage(spark)
    plain = write_csv(tmp_path / "a.csv", ["", "  ", TLC_HEADER, trip_line()], newline="\r\n")
    packed = tmp_path / "b.csv.gz"
    packed.write_bytes(gzip.compress(f"{SEED_HEADER}\n{trip_line()}\n".encode()))
    empty = write_csv(tmp_path / "c.csv", [])
    blank = write_csv(tmp_path / "d.csv", ["", " "])

    assert storage.head(plain.as_uri())[0] == TLC_HEADER
    assert storage.head(packed.as_uri())[0] == SEED_HEADER
    assert storage.head(empty.as_uri())[0] is None
    assert storage.head(blank.as_uri())[0] is None
    # With the first data lines under the header, past blank lines (the 2010-2014 layout's).
    assert storage.head(plain.as_uri()) == (TLC_HEADER, ())
    assert storage.head(plain.as_uri(), 20) == (TLC_HEADER, (trip_line(),))
    assert storage.head(packed.as_uri(), 1) == (SEED_HEADER, (trip_line(),))
    spaced = write_csv(tmp_path / "e.csv", [TLC_HEADER, "", " ", trip_line(), "", "x", "y"])
    assert storage.head(spaced.as_uri(), 2) == (TLC_HEADER, (trip_line(), "x"))
    header_only = write_csv(tmp_path / "f.csv", [TLC_HEADER, ""])
    assert storage.head(header_only.as_uri(), 20) == (TLC_HEADER, ())
    assert storage.head(empty.as_uri(), 20) == (None, ())
    # Data lines end after max_lines blank lines in a row.
    far = write_csv(tmp_path / "g.csv", [TLC_HEADER, "x", *[""] * 5, "y"])
    assert storage.head(far.as_uri(), 20, max_lines=5) == (TLC_HEADER, ("x",))


def test_first_line_past_many_blank_lines_and_of_gzip_data_hadoop_would_not_decompress(
    spark, tmp_path
):
    storage = Storage(spark)
    late = write_csv(tmp_path / "a.csv", [""] * 150 + [TLC_HEADER, trip_line()])
    assert storage.head(late.as_uri())[0] == TLC_HEADER
    # Blank as far as it looked, with more to come: a file without a header, never an empty one.
    assert storage.head(late.as_uri(), max_lines=100)[0] == ""
    packed = gzip.compress(f"{TLC_HEADER}\n{trip_line()}\n".encode())
    for name in ("b.CSV.GZ", "c.csv"):
        (tmp_path / name).write_bytes(packed)
        with pytest.raises(MisnamedGzipError, match=f"gzip data in {re.escape(name)}, "):
            storage.head((tmp_path / name).as_uri())


LINES_VIEW = StructType(
    [
        StructField("flag", StringType(), True),
        StructField("reject_reason", StringType(), True),
        StructField("raw_line", StringType(), True),
    ]
)


def test_csv_lines_follow_rfc4180_and_malformed_lines_keep_their_text(spark, tmp_path):
    too_many = trip_line() + ",surplus"
    too_few = trip_line().rsplit(",", 1)[0]
    unclosed = trip_line(store_and_fwd_flag='"N')
    lines = [
        TLC_HEADER,
        trip_line(store_and_fwd_flag='"Y,N"'),
        trip_line(store_and_fwd_flag='"say ""hi"""'),
        trip_line(store_and_fwd_flag="  N  "),
        trip_line(store_and_fwd_flag='""'),
        "",
        "   ",
        TLC_HEADER,  # a header repeated inside the file is not data
        too_many,
        too_few,
        unclosed,
    ]
    files = {"bom.csv": lines}
    actual = checked_rows(spark, tmp_path, files).select(
        sf.coalesce(raw_string("store_and_fwd_flag"), sf.col("store_and_fwd_flag")).alias("flag"),
        "reject_reason",
        "raw_line",
    )
    expected = spark.createDataFrame(
        [
            # Quoted cells keep their commas and quotes (and, not being Y or N, are invalid).
            ("Y,N", "invalid_value", trip_line(store_and_fwd_flag='"Y,N"')),
            ('say "hi"', "invalid_value", trip_line(store_and_fwd_flag='"say ""hi"""')),
            ("N", None, None),
            (None, None, None),
            ("N", "malformed_line", too_many),
            ("N", "malformed_line", too_few),
            ("N,-73.97,40.76,1,12.0,1.0,0.5,3.25,0,0.3,17.05", "malformed_line", unclosed),
        ],
        LINES_VIEW,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_bom_and_crlf_files_read_like_plain_ones(spark, tmp_path):
    plain = checked_rows(spark, tmp_path, {"f.csv": [TLC_HEADER, trip_line()]}).drop("source_file")
    folder = tmp_path / "in"
    write_csv(folder / "f.csv", [TLC_HEADER, trip_line()], newline="\r\n", bom=True)
    batch = parse_files(spark, [(folder / "f.csv").as_uri()])
    assert batch is not None
    assert_df_equality(batch.checked.drop("source_file"), plain)


def test_files_joined_end_to_end_drop_each_header_behind_its_byte_order_mark(spark, tmp_path):
    bom = "\ufeff".encode()
    data = trip_line().encode()
    joined = bom + TLC_HEADER.encode() + b"\n" + data + b"\n"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "joined.csv").write_bytes(joined + joined)
    (folder / "headerless.csv").write_bytes(b"1,2,3\n" + bom + b"4,5,6\r\n")

    batch = parse_files(
        spark, [(folder / name).as_uri() for name in ("joined.csv", "headerless.csv")]
    )

    assert batch.checked is not None
    actual = batch.checked.select("reject_reason", "raw_line")
    expected = spark.createDataFrame(
        [
            (None, None),
            (None, None),
            ("missing_header", "1,2,3"),
            ("missing_header", "4,5,6"),
        ],
        "reject_reason string, raw_line string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_key_value_folders_are_not_partition_columns(spark, tmp_path):
    folder = tmp_path / "in put"
    write_csv(folder / "year=2015" / "month=01" / "a.csv", [TLC_HEADER, trip_line()])
    write_csv(folder / "b.csv", [TLC_HEADER, trip_line(vendor_id="2")])
    write_csv(folder / "year=2016" / "c d+e%.csv", ["0,no,header", "1,2,3"])
    files = [f.uri for f in list_input_files(Storage(spark), f"file:{folder}").files]

    batch = parse_files(spark, files)

    assert "year" not in batch.checked.columns
    # Files are named by their path under the input root, exactly as spelled on disk.
    checked = with_source_paths(batch.checked, f"file:{folder}")
    actual = checked.selectExpr("source_file", "vendor_id", "reject_reason")
    expected = spark.createDataFrame(
        [
            ("b.csv", 2, None),
            ("year=2015/month=01/a.csv", 1, None),
            ("year=2016/c d+e%.csv", None, "missing_header"),
            ("year=2016/c d+e%.csv", None, "missing_header"),
        ],
        "source_file string, vendor_id int, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_file_names_from_spark_become_paths_under_the_input_root(spark):
    # Spark names files by percent-encoded URI; in Glue they are s3:// URIs.
    uris = [
        ("s3://raw-bucket/input/2024/yellow_tripdata_2024-01.parquet", "s3://raw-bucket/input/"),
        ("s3://raw-bucket/input/year%3D2015/a%20b+c.csv", "s3://raw-bucket/input"),
        ("s3://raw-bucket/k/a.csv.gz", "s3://raw-bucket"),
        ("file:///data/in/x.csv", "file:/data/in"),
        ("file:///data/in/x.csv", "file:/data/in/x.csv"),
        ("file:/data/in/sub/y.csv", "file:///data/in"),
        ("s3://raw-bucket/input/a+b/%2525.csv", "s3://raw-bucket/input"),
        ("s3://other-bucket/input/z.csv", "s3://raw-bucket/input"),
        ("s3://raw-bucket/input/", "s3://raw-bucket/input"),
        ("s3://raw-bucket/inputs/w.csv", "s3://raw-bucket/input"),
        # Not percent-encoded, with characters of two bytes: cut after the root's bytes.
        ("file:///data/caf\u00e9/\u00e9t\u00e9 1.csv", "file:/data/caf\u00e9"),
        # A root holding what ends a quoted part of a regular expression, and a metacharacter.
        ("file:///data/in%5CE.x/sub/v.csv", "file:/data/in\\E.x"),
        ("file:///data/inXEyx/v.csv", "file:/data/in\\E.x"),
        # A line break in a name (which Linux allows): still the whole path under the root.
        ("file:///data/in/a/yellow%0A2015.csv", "file:/data/in"),
    ]
    frame = spark.createDataFrame([(u, r) for u, r in uris], "uri string, root string")
    actual = [
        frame.where((frame.uri == uri) & (frame.root == root))
        .select(relative_to_root(frame.uri, root))
        .first()[0]
        for uri, root in uris
    ]
    assert actual == [
        "2024/yellow_tripdata_2024-01.parquet",
        "year=2015/a b+c.csv",
        "k/a.csv.gz",
        "x.csv",
        "x.csv",
        "sub/y.csv",
        "a+b/%25.csv",
        "z.csv",  # any scheme and authority: only the path is compared
        "",  # a folder, not a file: no name
        "w.csv",
        "\u00e9t\u00e9 1.csv",
        "sub/v.csv",
        "v.csv",  # not under the root: its name alone
        "a/yellow\n2015.csv",
    ]


def test_headers_of_other_writers_are_never_read_as_data(spark, tmp_path):
    lines = [trip_line(pickup_datetime=f"2015-01-0{day} 10:00:00") for day in (1, 2)]

    def quoted(line: str, separator: str = ",") -> str:
        return separator.join(f'"{cell}"' for cell in line.split(","))

    files = {
        # pandas' to_csv with its index: an unnamed first column.
        "pandas.csv": ["," + TLC_HEADER, *(f"{i},{line}" for i, line in enumerate(lines))],
        # R's write.csv: its row names under a quoted empty name, every cell quoted.
        "r.csv": [
            '"",' + quoted(TLC_HEADER),
            *(f'"{i}",' + quoted(line) for i, line in enumerate(lines, 1)),
        ],
        # Every name quoted, with a space after each comma.
        "spaced.csv": [quoted(TLC_HEADER, ", "), *lines],
        # Two empty columns first (a sheet's columns A:B left blank): lines that start with
        # empty cells are not the header for that.
        "blank_columns.csv": [",," + TLC_HEADER, *(",," + line for line in lines)],
    }
    checked = checked_rows(spark, tmp_path, files)

    actual = checked.select("source_file", "pickup_datetime", "reject_reason")
    expected = spark.createDataFrame(
        [(name, dt.datetime(2015, 1, day, 10), None) for name in files for day in (1, 2)],
        "source_file string, pickup_datetime timestamp, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_column_named_twice_takes_each_rows_value_from_either_name(spark, tmp_path):
    # pandas' concat of a 2023 file (`airport_fee`) and a 2024 one (`Airport_fee`), as CSV.
    header = "tpep_pickup_datetime,total_amount,airport_fee,Airport_fee"
    files = {
        "joined.csv": [
            header,
            "2024-01-01 10:00:00,14.0,1.75,",
            "2024-01-01 11:00:00,15.0,,1.25",
            "2024-01-01 12:00:00,16.0,,",
        ]
    }
    actual = checked_rows(spark, tmp_path, files).select("total_amount", "airport_fee")
    expected = spark.createDataFrame(
        [(14.0, 1.75), (15.0, 1.25), (16.0, None)], "total_amount double, airport_fee double"
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_service_column_names_each_rows_service_where_no_tpep_or_lpep_name_does(spark, tmp_path):
    header = "pickup_datetime,total_amount,service"
    lines = [
        "2015-01-01 00:00:01,1.0,green",
        "2015-01-01 00:00:01,2.0,YELLOW",
        "2015-01-01 00:00:01,3.0,",
    ]
    files = [
        write_csv(tmp_path / "export.csv", [header, *lines]).as_uri(),
        write_csv(tmp_path / "green_export.csv", [header, lines[2]]).as_uri(),
        write_csv(tmp_path / "tpep.csv", ["tpep_" + header, lines[0]]).as_uri(),
    ]
    actual = parse_files(spark, files).checked.select("total_amount", "service")
    expected = spark.createDataFrame(
        [(1.0, "green"), (2.0, "yellow"), (3.0, None), (3.0, "green"), (1.0, "yellow")],
        "total_amount double, service string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_only_whole_header_lines_are_dropped_lines_that_start_like_one_are_quarantined(
    spark, tmp_path
):
    # A header copy cut short (a truncated file joined to another), and a data line whose first
    # cells happen to be the header's names: neither is a header, so neither may vanish uncounted.
    cut_header = TLC_HEADER[:45]
    names_first = "VendorID,tpep_pickup_datetime," + trip_line().split(",", 2)[2]
    files = {"joined.csv": [TLC_HEADER, trip_line(), cut_header, names_first, TLC_HEADER]}

    checked = checked_rows(spark, tmp_path, files)

    actual = checked.select("reject_reason", "raw_line")
    expected = spark.createDataFrame(
        [(None, None), ("malformed_line", cut_header), ("invalid_pickup_datetime", names_first)],
        "reject_reason string, raw_line string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_line_of_more_fields_than_the_readers_default_limit_is_malformed_not_its_file(
    spark, tmp_path
):
    # Spark's CSV reader refuses a line of over 20,480 fields by default, failing its whole file.
    wide = trip_line() + ",0" * 20_500
    files = {"wide.csv": [TLC_HEADER, trip_line(), wide]}

    checked = checked_rows(spark, tmp_path, files)

    actual = checked.select("reject_reason", "raw_line")
    expected = spark.createDataFrame(
        [(None, None), ("malformed_line", wide)], "reject_reason string, raw_line string"
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_local_files_the_listing_cannot_name_are_reported_as_skipped(spark, tmp_path):
    # Hadoop's listing leaves out, without a word, a name that is not UTF-8 (unzipped from a
    # Windows archive, say), which the JVM cannot open, and a link to a file that is gone.
    folder = tmp_path / "in"
    write_csv(folder / "yellow_tripdata_2015-02.csv", [TLC_HEADER, trip_line()])
    latin1 = os.fsencode(folder) + b"/caf\xe9"
    os.mkdir(latin1)
    for name in (b"yellow_tripdata_2015-01_caf\xe9.csv", b"yellow_tripdata_2015-04.csv"):
        with open(latin1 + b"/" + name, "wb") as handle:
            handle.write(f"{TLC_HEADER}\n{trip_line()}\n".encode())
    (folder / "yellow_tripdata_2015-03.csv").symlink_to(folder / "gone.csv")
    (folder / "_hidden.csv").symlink_to(folder / "gone.csv")

    listing = list_input_files(Storage(spark), f"file:{folder}")

    assert [f.path for f in listing.files] == ["yellow_tripdata_2015-02.csv"]
    assert listing.skipped == [
        SkippedFile("caf\\xe9/yellow_tripdata_2015-01_caf\\xe9.csv", NOT_UTF8_NAME),
        SkippedFile("caf\\xe9/yellow_tripdata_2015-04.csv", NOT_UTF8_NAME),
        SkippedFile("yellow_tripdata_2015-03.csv", BROKEN_LINK),
    ]


def test_a_header_repeated_with_its_last_name_in_another_case_or_padded_is_still_a_header(
    spark, tmp_path
):
    # A 2023 file joined to a 2024 one repeats the header with `Airport_fee` for `airport_fee`;
    # a writer may quote a name with a space inside the quotes, which the reader keeps.
    header = "tpep_pickup_datetime,total_amount,airport_fee"
    lines = [
        header,
        "2023-12-31 23:10:00,14.0,1.75",
        "tpep_pickup_datetime,total_amount,Airport_fee",
        '"tpep_pickup_datetime","total_amount","airport_fee "',
        "2024-01-01 10:00:00,15.0,0",
    ]

    checked = checked_rows(spark, tmp_path, {"joined.csv": lines})

    actual = checked.select("total_amount", "reject_reason")
    expected = spark.createDataFrame(
        [(14.0, None), (15.0, None)], "total_amount double, reject_reason string"
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_names_java_could_not_list_in_its_locale_are_reported_as_skipped(tmp_path):
    # With LC_ALL=C, Java spells `café` as `caf?` and Hadoop's listing leaves the file out.
    for name in ("café.csv", "plain.csv"):
        write_csv(tmp_path / name, [TLC_HEADER, trip_line()])

    unlisted = unlisted_local_files(f"file:{tmp_path}", listed={"plain.csv"})

    assert unlisted == [SkippedFile("café.csv", UNNAMED_BY_JVM)]
    assert unlisted_local_files(f"file:{tmp_path}", {"café.csv", "plain.csv"}) == []

"""`python -m ops upload` against moto S3 (and a moto KMS key for SSE-KMS)."""

from __future__ import annotations

import gzip
import io

import boto3
import pytest

from ops.display import ProgressBar
from tests.ops.conftest import RAW_BUCKET, REGION, STACK, FakePulumi, run_cli, stack_outputs


@pytest.fixture
def s3(aws):
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(
        Bucket=RAW_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return client


@pytest.fixture
def kms_key_arn(aws) -> str:
    return boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]


@pytest.fixture
def input_tree(tmp_path):
    """A folder with nested CSVs, a gzipped CSV, a Parquet file, and files the job would not
    read."""
    root = tmp_path / "trips"
    (root / "2024" / "01").mkdir(parents=True)
    (root / "top.csv").write_bytes(b"vendor_id,total_amount\n1,9.5\n")
    (root / "2024" / "01" / "jan.csv").write_bytes(b"vendor_id,total_amount\n2,12.0\n")
    (root / "2024" / "01" / "feb.CSV.GZ").write_bytes(gzip.compress(b"vendor_id\n3\n", mtime=0))
    (root / "2024" / "yellow_tripdata_2024-01.parquet").write_bytes(b"PAR1...PAR1")
    (root / "notes.txt").write_text("not input\n")
    (root / "2024" / "archive.zip").write_bytes(b"PK")
    # For-hire vehicle trips, which the job skips: gigabytes a month not worth uploading.
    (root / "2024" / "fhvhv_tripdata_2024-01.parquet").write_bytes(b"PAR1...PAR1")
    # The TLC's zone lookup table, which the job skips too.
    (root / "taxi_zone_lookup.csv").write_bytes(b'"LocationID","Borough"\n1,"EWR"\n')
    single = tmp_path / "extra.csv"
    single.write_bytes(b"vendor_id\n4\n")
    return root, single


def test_upload_folder_and_file_keeps_relative_keys_under_input(s3, kms_key_arn, input_tree):
    root, single = input_tree
    pulumi = FakePulumi(stack_outputs(kms_key_arn=kms_key_arn))

    result = run_cli(["upload", "--stack", STACK, str(root), str(single)], pulumi, {"s3": s3})

    assert result.code == 0
    expected = {
        "input/2024/01/feb.CSV.GZ": root / "2024" / "01" / "feb.CSV.GZ",
        "input/2024/01/jan.csv": root / "2024" / "01" / "jan.csv",
        "input/2024/yellow_tripdata_2024-01.parquet": root
        / "2024"
        / "yellow_tripdata_2024-01.parquet",
        "input/extra.csv": single,
        "input/top.csv": root / "top.csv",
    }
    listed = s3.list_objects_v2(Bucket=RAW_BUCKET)["Contents"]
    assert [item["Key"] for item in listed] == sorted(expected)
    for key, path in expected.items():
        obj = s3.get_object(Bucket=RAW_BUCKET, Key=key)
        assert obj["Body"].read() == path.read_bytes()
        assert obj["ServerSideEncryption"] == "aws:kms"
        assert obj["SSEKMSKeyId"] == kms_key_arn
        content_type = "application/gzip" if key.endswith("GZ") else "text/csv"
        if key.endswith(".parquet"):
            content_type = "application/vnd.apache.parquet"
        assert obj["ContentType"] == content_type

    total = sum(path.stat().st_size for path in expected.values())
    assert result.out_lines == [
        f"uploading 5 files ({total} bytes) to s3://{RAW_BUCKET}/input/",
        *(f"  {path} -> {key}" for key, path in sorted(expected.items())),
        "uploaded 5 files",
    ]
    assert result.err.endswith(f"] 100% {total}/{total} bytes\n")
    # Credentials are checked (STS) before anything is announced, in the stack's region.
    assert result.regions == [("sts", REGION), ("s3", REGION)]


def test_upload_with_explicit_bucket_skips_stack_outputs(s3, input_tree):
    root, _ = input_tree
    pulumi = FakePulumi(stack_outputs())

    result = run_cli(
        [
            "upload",
            "--stack",
            STACK,
            "--bucket",
            RAW_BUCKET,
            "--region",
            REGION,
            str(root / "top.csv"),
        ],
        pulumi,
        {"s3": s3},
    )

    assert result.code == 0
    assert pulumi.calls == []
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=RAW_BUCKET)["Contents"]] == [
        "input/top.csv"
    ]


def test_upload_of_a_missing_path_is_a_usage_error(s3, tmp_path):
    pulumi = FakePulumi(stack_outputs())

    result = run_cli(["upload", "--stack", STACK, str(tmp_path / "nope")], pulumi, {"s3": s3})

    assert result.code == 2
    assert result.err_lines == [f"error: path does not exist: {tmp_path / 'nope'}"]
    assert pulumi.calls == []
    assert s3.list_objects_v2(Bucket=RAW_BUCKET)["KeyCount"] == 0


def test_upload_of_a_folder_without_csv_is_a_usage_error(s3, tmp_path):
    (tmp_path / "readme.txt").write_text("nothing to load\n")

    result = run_cli(
        ["upload", "--stack", STACK, str(tmp_path)], FakePulumi(stack_outputs()), {"s3": s3}
    )

    assert result.code == 2
    assert result.err_lines == [f"error: no .csv, .csv.gz or .parquet files under: {tmp_path}"]


def test_upload_without_raw_bucket_output_is_a_usage_error(s3, input_tree):
    root, _ = input_tree
    outputs = stack_outputs()
    del outputs["raw_bucket"]

    result = run_cli(["upload", "--stack", STACK, str(root)], FakePulumi(outputs), {"s3": s3})

    assert result.code == 2
    assert result.err_lines == [
        f"error: stack '{STACK}' has no output 'raw_bucket': run `pulumi up` on it or pass --bucket"
    ]


def test_upload_without_credentials_fails_before_announcing_anything(input_tree, monkeypatch):
    # No moto here (it would supply credentials): with none, botocore fails before any request.
    root, _ = input_tree
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role lookup either

    result = run_cli(["upload", "--stack", STACK, str(root)], FakePulumi(stack_outputs()))

    assert result.code == 1
    assert result.out == ""
    assert result.err_lines == ["error: no AWS credentials found (aws configure / aws sso login)"]
    assert result.regions == [("sts", REGION)]  # no S3 client was ever made


def test_progress_bar_redraws_one_line_per_whole_percent():
    stream = io.StringIO()
    bar = ProgressBar(200, stream, width=10)

    for chunk in (50, 1, 99, 100):  # 51/200 is still 25%; the last chunk overshoots
        bar.advance(chunk)
    bar.close()

    assert stream.getvalue() == (
        "\r[##........]  25% 50/200 bytes"
        "\r[#######...]  75% 150/200 bytes"
        "\r[##########] 100% 200/200 bytes\n"
    )

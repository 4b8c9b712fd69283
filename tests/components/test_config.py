"""Stack config rules: every bad value fails with one line naming the key; real stacks load."""

from __future__ import annotations

import pytest

from components.config import ConfigError, StackConfig, parse_config, project_settings
from preview.stackfile import stack_config

# The default dedupe keys: what identifies a trip in every TLC era, coordinates and zones alike.
EVERY_ERA_KEYS = (
    "vendor_id",
    "pickup_datetime",
    "dropoff_datetime",
    "pickup_longitude",
    "pickup_latitude",
    "dropoff_longitude",
    "dropoff_latitude",
    "pu_location_id",
    "do_location_id",
)


def _raw(stack: str) -> dict[str, str]:
    return project_settings(stack_config(stack))


def test_dev_stack_file_loads() -> None:
    assert parse_config(_raw("dev"), "dev") == StackConfig(
        project="glue-etl",
        stack="dev",
        glue_version="5.1",
        worker_type="G.1X",
        number_of_workers=2,
        execution_class="FLEX",
        auto_scaling=False,
        job_timeout_minutes=30,
        max_retries=0,
        max_concurrent_runs=1,
        schedule="",
        crawler_recrawl="CRAWL_EVERYTHING",
        alert_email="",
        protect_data=False,
        raw_retention_days=30,
        spark_ui=True,
        access_logs=False,
        dedupe_keys=EVERY_ERA_KEYS,
    )


def test_prod_stack_file_loads() -> None:
    assert parse_config(_raw("prod"), "prod") == StackConfig(
        project="glue-etl",
        stack="prod",
        glue_version="5.1",
        worker_type="G.2X",
        number_of_workers=10,
        execution_class="STANDARD",
        auto_scaling=True,
        job_timeout_minutes=120,
        max_retries=1,
        max_concurrent_runs=1,
        schedule="cron(0 2 * * ? *)",
        crawler_recrawl="CRAWL_EVERYTHING",
        alert_email="data-alerts@example.com",
        protect_data=True,
        raw_retention_days=0,
        spark_ui=True,
        access_logs=True,
        dedupe_keys=EVERY_ERA_KEYS,
    )


def test_defaults_match_the_contract_table() -> None:
    config = parse_config({}, "test")
    assert config == StackConfig(project="glue-etl", stack="test")
    assert (config.glue_version, config.worker_type, config.number_of_workers) == ("5.1", "G.1X", 2)
    assert config.dedupe_keys == EVERY_ERA_KEYS
    assert (config.crawler_recrawl, config.access_logs) == ("CRAWL_EVERYTHING", True)
    assert config.name_prefix == "glue-etl-test"
    assert config.max_dpus == 2


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"glueVersion": "3.0"}, "glueVersion"),
        ({"glueVersion": "4.0"}, "glueVersion"),
        ({"glueVersion": "6.0"}, "glueVersion"),
        ({"workerType": "G.025X"}, "workerType"),
        ({"workerType": "Z.2X"}, "workerType"),
        ({"workerType": "Standard"}, "workerType"),
        ({"numberOfWorkers": "1"}, "numberOfWorkers"),
        ({"numberOfWorkers": "300"}, "numberOfWorkers"),
        ({"numberOfWorkers": "ten"}, "numberOfWorkers"),
        ({"executionClass": "SPOT"}, "executionClass"),
        ({"executionClass": "FLEX", "workerType": "G.4X"}, "executionClass"),
        ({"autoScaling": "yes"}, "autoScaling"),
        ({"jobTimeoutMinutes": "0"}, "jobTimeoutMinutes"),
        ({"jobTimeoutMinutes": "10081"}, "jobTimeoutMinutes"),
        ({"maxRetries": "11"}, "maxRetries"),
        ({"maxRetries": "-1"}, "maxRetries"),
        ({"maxConcurrentRuns": "0"}, "maxConcurrentRuns"),
        ({"maxConcurrentRuns": "1001"}, "maxConcurrentRuns"),
        ({"maxConcurrentRuns": "2"}, "maxConcurrentRuns"),
        ({"schedule": "cron(0 2 * * *)"}, "schedule"),
        ({"schedule": "0 2 * * ? *"}, "schedule"),
        ({"schedule": "cron(0 2 * * * *)"}, "schedule"),
        ({"schedule": "rate(1 day)"}, "schedule"),
        ({"crawlerRecrawl": "CRAWL_SOMETIMES"}, "crawlerRecrawl"),
        ({"alertEmail": "not-an-email"}, "alertEmail"),
        ({"alertEmail": "a@b"}, "alertEmail"),
        ({"protectData": "1"}, "protectData"),
        ({"rawRetentionDays": "-5"}, "rawRetentionDays"),
        ({"sparkUi": "on"}, "sparkUi"),
        ({"accessLogs": "yes"}, "accessLogs"),
        ({"dedupeKeys": '["pickup_datetime", "no_such_column"]'}, "dedupeKeys"),
        ({"dedupeKeys": "[]"}, "dedupeKeys"),
        ({"dedupeKeys": '["vendor_id", "vendor_id"]'}, "dedupeKeys"),
        ({"dedupeKeys": "pickup_datetime"}, "dedupeKeys"),
        ({"workerTyp": "G.1X"}, "workerTyp"),
    ],
)
def test_bad_value_is_rejected_with_key_value_and_allowed(
    overrides: dict[str, str], key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({**_raw("dev"), **overrides}, "dev")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"glue-etl:{key} = {overrides[key]!r} is invalid; allowed: ")


@pytest.mark.parametrize("version", ["4.0", "6.0"])
def test_untested_glue_version_says_why(version: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"glueVersion": version}, "dev")
    assert str(caught.value) == (
        f"glue-etl:glueVersion = '{version}' is invalid; allowed: 5.0, 5.1; the job is built and "
        "tested for Python 3.11 + Spark 3.5 only (4.0 is Python 3.10 + Spark 3.3, 6.0 is "
        "Python 3.13 + Spark 4)"
    )


@pytest.mark.parametrize("version", ["5.0", "5.1"])
def test_tested_glue_versions_are_accepted(version: str) -> None:
    assert parse_config({"glueVersion": version}, "dev").glue_version == version


def test_unsupported_worker_type_says_why() -> None:
    with pytest.raises(ConfigError, match=r"G\.025X is for streaming jobs only"):
        parse_config({"workerType": "G.025X"}, "dev")


def test_flex_error_names_the_worker_type() -> None:
    with pytest.raises(ConfigError, match=r"FLEX needs G\.1X or G\.2X"):
        parse_config({"executionClass": "FLEX", "workerType": "R.2X"}, "dev")


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"workerType": "R.8X", "executionClass": "STANDARD"}, "max_dpus", 16),
        ({"schedule": " cron(15 3 ? * MON-FRI *) "}, "schedule", "cron(15 3 ? * MON-FRI *)"),
        ({"crawlerRecrawl": "CRAWL_EVENT_MODE"}, "event_mode", True),
        ({"dedupeKeys": '["vendor_id"]'}, "dedupe_keys", ("vendor_id",)),
        ({"autoScaling": "TRUE"}, "auto_scaling", True),
        ({"accessLogs": "false"}, "access_logs", False),
        ({"crawlerRecrawl": "CRAWL_NEW_FOLDERS_ONLY"}, "crawler_recrawl", "CRAWL_NEW_FOLDERS_ONLY"),
    ],
)
def test_valid_values_are_parsed(overrides: dict[str, str], field: str, expected: object) -> None:
    assert getattr(parse_config(overrides, "dev"), field) == expected


@pytest.mark.parametrize("stack", ["Prod", "dev_eu", "-dev", "a-very-long-stack-name"])
def test_stack_name_must_fit_bucket_names(stack: str) -> None:
    with pytest.raises(ConfigError, match=rf"^glue-etl:stack = '{stack}' is invalid; allowed: "):
        parse_config({}, stack)


def test_config_is_frozen() -> None:
    config = parse_config({}, "dev")
    with pytest.raises(AttributeError):
        config.worker_type = "G.8X"  # type: ignore[misc]


def test_concurrent_runs_are_refused_and_the_message_says_why() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"maxConcurrentRuns": "5"}, "test")
    assert str(caught.value) == (
        "glue-etl:maxConcurrentRuns = '5' is invalid; allowed: 1 (runs share the curated "
        "bucket's state and staging, so they must not overlap)"
    )

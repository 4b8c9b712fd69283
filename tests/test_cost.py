"""Cost estimate figures for the real stack files and the cron shapes the schedule may take."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from components.config import ConfigError, StackConfig, parse_config
from preview.cost import (
    ASSUMPTIONS,
    CostEstimate,
    PriceAssumptions,
    UnsupportedScheduleError,
    cron_runs_in_year,
    estimate,
    format_estimate,
)
from preview.stackfile import load_stack_config


def test_dev_estimate_is_flex_on_demand():
    assert estimate(load_stack_config("dev")) == CostEstimate(
        stack="dev",
        worker_type="G.1X",
        workers=2,
        dpus=2,
        auto_scaling=False,
        execution_class="FLEX",
        rate_per_dpu_hour=Decimal("0.29"),
        cost_per_hour=Decimal("0.58"),
        typical_run_minutes=15,
        typical_run_cost=Decimal("0.15"),  # 0.58 / 4 = 0.145, rounded half up
        timeout_minutes=30,
        max_attempts=1,
        max_run_cost=Decimal("0.29"),
        schedule="",
        runs_per_month=None,
        monthly_typical=None,
        monthly_upper_bound=None,
        unestimated_reason="",
        assumptions=ASSUMPTIONS,
    )


def test_prod_estimate_is_standard_daily_at_maximum_workers():
    assert estimate(load_stack_config("prod")) == CostEstimate(
        stack="prod",
        worker_type="G.2X",
        workers=10,
        dpus=20,
        auto_scaling=True,
        execution_class="STANDARD",
        rate_per_dpu_hour=Decimal("0.44"),
        cost_per_hour=Decimal("8.80"),
        typical_run_minutes=15,
        typical_run_cost=Decimal("2.20"),
        timeout_minutes=120,
        max_attempts=2,  # maxRetries 1: a failing run is billed twice
        max_run_cost=Decimal("35.20"),
        schedule="cron(0 2 * * ? *)",
        runs_per_month=Decimal("30.42"),  # 365 / 12
        monthly_typical=Decimal("66.92"),  # 2.20 x 365 / 12
        monthly_upper_bound=Decimal("1070.67"),  # 35.20 x 365 / 12
        unestimated_reason="",
        assumptions=ASSUMPTIONS,
    )


def test_prod_printout_states_figures_and_assumptions():
    assert format_estimate(estimate(load_stack_config("prod"))) == "\n".join(
        [
            "Cost estimate (prod)",
            "  DPUs per run:  10 x G.2X = 20 DPUs, auto scaling: the maximum",
            "  one hour:      $8.80 (STANDARD, $0.44/DPU-hour)",
            "  one run:       ~$2.20 typical (15 min), at most $35.20 (2 x 120 min timeout)",
            "  monthly:       cron(0 2 * * ? *) = 30.42 runs: ~$66.92 typical, at most $1070.67",
            "  assumptions:   $0.44/DPU-hour standard, $0.29 Flex, billed per second with a "
            "1-minute minimum; typical run 15 min (assumed); upper bound: every attempt runs to "
            "the timeout; runs/month from the cron over 2025",
            "  not included:  the crawler run before each job run (per DPU-hour, 10-minute "
            "minimum per crawl, DPUs chosen by AWS), S3 storage and requests, KMS keys and "
            "requests, SNS alerts, CloudWatch logs and metrics, SQS (event mode)",
        ]
    )


def test_dev_printout_says_on_demand():
    lines = format_estimate(estimate(load_stack_config("dev"))).splitlines()
    assert lines[1:5] == [
        "  DPUs per run:  2 x G.1X = 2 DPUs",
        "  one hour:      $0.58 (FLEX, $0.29/DPU-hour)",
        "  one run:       ~$0.15 typical (15 min), at most $0.29 (1 x 30 min timeout)",
        "  monthly:       on demand (no schedule): the per-run figures apply per run",
    ]


def test_short_runs_are_billed_the_one_minute_minimum():
    config = StackConfig(project="glue-etl", stack="t", worker_type="G.8X", number_of_workers=10)
    cost = estimate(config, PriceAssumptions(typical_run_minutes=0))
    # 80 DPUs x $0.44 = $35.20/hour; one billed minute = 0.5867.
    assert (cost.cost_per_hour, cost.typical_run_cost) == (Decimal("35.20"), Decimal("0.59"))


def test_typical_run_never_exceeds_the_timeout():
    config = StackConfig(project="glue-etl", stack="t", job_timeout_minutes=5)
    cost = estimate(config)
    # 2 x G.1X standard = $0.88/hour; 5 minutes.
    assert (cost.typical_run_minutes, cost.typical_run_cost) == (5, Decimal("0.07"))


@pytest.mark.parametrize(
    ("schedule", "runs_in_2025"),
    [
        ("cron(0 2 * * ? *)", 365),  # daily
        ("cron(0 * * * ? *)", 8760),  # hourly
        ("cron(0/15 * * * ? *)", 35040),  # every 15 minutes
        ("cron(30 6 ? * MON-FRI *)", 261),  # working days
        (
            "cron(0 2 ? * 2,4 *)",
            105,
        ),  # Mondays (52) and Wednesdays (53): 2025 starts on a Wednesday
        ("cron(0 0 1 * ? *)", 12),  # first of the month
        ("cron(0 0 L * ? *)", 12),  # last day of the month
        ("cron(0 0 1,15 JAN-MAR ? *)", 6),
        ("cron(0 12 ? * MON#1 *)", 12),  # first Monday
        ("cron(0 8-17/3 ? * SAT,SUN *)", 416),  # 4 runs on each of 104 weekend days
        ("cron(0 0 * * ? 2030)", 0),  # another year
    ],
)
def test_cron_runs_in_reference_year(schedule, runs_in_2025):
    assert cron_runs_in_year(schedule, 2025) == runs_in_2025


def test_unsupported_cron_shape_is_named_not_guessed():
    with pytest.raises(UnsupportedScheduleError, match="15W"):
        cron_runs_in_year("cron(0 0 15W * ? *)", 2025)
    config = replace(load_stack_config("prod"), schedule="cron(0 0 15W * ? *)")
    cost = estimate(config)
    assert (cost.runs_per_month, cost.monthly_typical, cost.unestimated_reason) == (
        None,
        None,
        "cron field '15W' is not counted by this estimate",
    )
    assert "  monthly:       not estimated: cron field '15W' is not counted by this estimate" in (
        format_estimate(cost).splitlines()
    )


def test_weekly_schedule_monthly_figure():
    config = replace(load_stack_config("prod"), schedule="cron(0 2 ? * MON *)")
    cost = estimate(config)
    # 52 Mondays in 2025: 52 / 12 = 4.33 runs; 2.20 x 52 / 12 = 9.53; 35.20 x 52 / 12 = 152.53.
    assert (cost.runs_per_month, cost.monthly_typical, cost.monthly_upper_bound) == (
        Decimal("4.33"),
        Decimal("9.53"),
        Decimal("152.53"),
    )


@pytest.mark.parametrize(
    "schedule",
    ["cron(0 2 * * *)", "cron(0 2 * * * *)", "rate(1 day)", "cron(0 2 ? * ? *)"],
)
def test_the_estimate_rejects_what_the_config_rejects(schedule):
    # One cron parser (components.config.cron_fields): the estimate cannot count a schedule that
    # the stack config would refuse, e.g. both day fields set.
    with pytest.raises(ConfigError):
        parse_config({"schedule": schedule}, "t")
    with pytest.raises(UnsupportedScheduleError, match=r"is not cron\(min hour"):
        cron_runs_in_year(schedule, 2025)

"""The report's arithmetic and wording: ratios within a round, targets on ratios and on seconds,
net ratios, bounds that put a target out of reach, and results saved by older benches."""

from __future__ import annotations

import json

from bench.plans import PlanStats
from bench.report import Results, markdown, summary
from bench.targets import NET_RATIOS, RATIOS, TARGETS, Target, round_ratios

PLANS = PlanStats(queries=4, python_udf_nodes=0, shuffle_exchanges=2, broadcast_exchanges=0)


def _round(floor: float, job: float, **changes: float) -> dict[str, float]:
    figures = {
        "floor": floor,
        "seed": 2 * floor,
        "bare": 1.5 * floor,
        "checked": 1.8 * floor,
        "checked_quarantine": 1.85 * floor,
        "job": job,
        "late": job / 4,
        "incremental": job / 2,
        "job_tiny": job / 4,
        "bare_tiny": job / 8,
        "bare_metrics_tiny": job / 7,
        "bare_late": job / 5,
        "bare_incremental": floor,
        "floor_4x": 4 * floor,
        "seed_4x": 8 * floor,
        "job_4x": 4 * job,
        "bare_parquet": floor,
        "checked_parquet": 1.2 * floor,
        "checked_quarantine_parquet": 1.25 * floor,
        "job_parquet": 2 * floor,
    }
    return figures | changes


def test_ratios_pair_workloads_of_the_same_round():
    # The machine got twice as slow in round 2: its floor and job moved together.
    rounds = [_round(10, 30), _round(20, 40), _round(30, 90)]
    results = Results(1, 1, rounds, PLANS)

    assert results.seconds["job"] == 40
    assert results.seconds["floor"] == 20
    # The ratio of the medians would be 2.0; each round's own ratio is 3, 2 and 3.
    assert results.ratios["job_vs_floor"] == 3.0
    assert results.ratios["incremental_vs_full"] == 0.5
    assert results.ratios["parquet_job_vs_bare"] == 2.0
    assert results.spread["job"] == (30, 90)
    assert set(results.ratios) == {*RATIOS, *NET_RATIOS}
    # Ratios that were targets once are context now: no status of their own.
    assert not {"job_vs_floor", "job_vs_seed", "scaling_4x", "incremental_vs_full"} & set(
        results.status
    )


def test_incremental_net_is_each_round_own_ratio_net_of_the_fixed_cost():
    rounds = [
        _round(10, 50, incremental=16, job_tiny=10),  # (16 - 10) / (50 - 10) = 0.15
        _round(10, 100, incremental=40, job_tiny=20),  # 20 / 80 = 0.25
        _round(10, 60, incremental=18, job_tiny=12),  # 6 / 48 = 0.125
    ]
    results = Results(1, 1, rounds, PLANS)

    # The medians (job 60, incremental 18, tiny 12) would give 0.125; gross, it is 0.32.
    assert results.ratios["incremental_net"] == 0.15
    assert results.ratios["incremental_vs_full"] == 0.32
    assert results.status["incremental_net"] == "met"
    assert Results(1, 1, rounds[1:2], PLANS).status["incremental_net"] == "MISSED"


def test_a_net_ratio_is_left_out_of_a_round_whose_run_costs_no_more_than_the_fixed_cost():
    assert "incremental_net" not in round_ratios(_round(1, 10, job_tiny=10))
    rounds = [_round(1, 10, job_tiny=10), _round(1, 50, incremental=20, job_tiny=10)]
    assert Results(1, 1, rounds, PLANS).ratios["incremental_net"] == 0.25


def test_a_seconds_target_is_met_missed_or_out_of_reach_by_its_bound():
    def fixed_cost(job_tiny: float, bare_metrics_tiny: float) -> str:
        rounds = [_round(10, 50, job_tiny=job_tiny, bare_metrics_tiny=bare_metrics_tiny)]
        return Results(1, 1, rounds, PLANS).status["fixed_cost"]

    assert fixed_cost(job_tiny=9.0, bare_metrics_tiny=5.0) == "met"
    assert fixed_cost(job_tiny=9.5, bare_metrics_tiny=8.9) == "MISSED"
    # Bare trips and their metrics do strictly less: over 9 s on their own, no change to the job
    # can meet 9 s. The bare trips job alone is context, not the bound.
    assert (
        fixed_cost(job_tiny=13.7, bare_metrics_tiny=9.4)
        == "out of reach: bare trips + metrics bound 9.4 s > 9 s"
    )
    rounds = [_round(10, 50, job_tiny=13.7, bare_tiny=9.4, bare_metrics_tiny=8.9)]
    assert Results(1, 1, rounds, PLANS).status["fixed_cost"] == "MISSED"


def test_a_ratio_target_is_out_of_reach_when_its_bound_ratio_is_over_the_limit():
    def late(late: float, bare_late: float) -> str:
        return Results(1, 1, [_round(10, 50, late=late, bare_late=bare_late)], PLANS).status[
            "late_vs_full"
        ]

    assert late(late=17.5, bare_late=16) == "met"  # 0.35
    assert late(late=20, bare_late=15) == "MISSED"
    assert late(late=25, bare_late=20) == "out of reach: bare late-batch bound 0.40 > 0.35"


def test_the_bare_jobs_own_incremental_ratio_is_context_without_a_status():
    # (12 - 9) / (27 - 9) for the bare trips job; the job's own is (19 - 13.5) / (40 - 13.5).
    rounds = [
        _round(10, 40, incremental=19, job_tiny=13.5, bare=27, bare_tiny=9, bare_incremental=12)
    ]
    results = Results(1, 1, rounds, PLANS)

    assert round(results.ratios["bare_incremental_net"], 4) == round(3 / 18, 4)
    assert "bare_incremental_net" not in results.status
    assert results.status["incremental_net"] == "MISSED"
    assert (
        "| context: bare trips job over the 10% new files on new dates | 12.0 (12.0-12.0) | "
        "0.17 of its full, net of its fixed cost | | |" in markdown(results)
    )


def test_the_job_ratio_is_out_of_reach_when_its_checks_and_quarantine_are_over_the_limit():
    def csv_and_parquet(**bounds: float) -> tuple[str, str]:
        # job / bare = 2.0 on both inputs; the bounds vary.
        rounds = [_round(10, 30, bare=15, bare_parquet=10, job_parquet=20, **bounds)]
        status = Results(1, 1, rounds, PLANS).status
        return status["job_vs_bare"], status["parquet_job_vs_bare"]

    under = {"checked": 18, "checked_parquet": 12}
    assert csv_and_parquet(**under, checked_quarantine=19, checked_quarantine_parquet=12.5) == (
        "MISSED",
        "MISSED",
    )
    # The checks alone under the limit, with quarantine over it: the quarantine bound decides.
    assert csv_and_parquet(**under, checked_quarantine=21, checked_quarantine_parquet=14) == (
        "out of reach: checked rows + quarantine bound 1.40 > 1.3",
        "out of reach: checked rows + quarantine bound 1.40 > 1.3",
    )


def test_one_figure_can_carry_two_targets():
    # job / bare = 1.5: over the new 1.3, under the earlier 1.8.
    results = Results(1, 1, [_round(10, 22.5, bare=15)], PLANS)

    assert results.passed["job_vs_bare"] is False
    assert results.passed["job_vs_bare_earlier"] is True
    table = markdown(results)
    assert "| 1.50x bare | <= 1.3 | MISSED |" in table
    assert "| job / bare (earlier target) | | 1.50x bare | <= 1.8 | met |" in table
    short = summary(results)
    assert "| job / bare trips job (CSV, no checks) | 1.50 | <= 1.3 | MISSED |" in short
    assert "| job / bare (earlier target) | 1.50 | <= 1.8 | met |" in short


def test_tables_show_a_seconds_target_and_the_out_of_reach_wording():
    tiny = _round(10, 50, job_tiny=13.7, bare_tiny=8.6, bare_metrics_tiny=9.4)
    results = Results(3_000_000, 1, [tiny], PLANS, tiny_rows=3_000)

    table = markdown(results)
    assert (
        "| fixed cost: job over one 3,000-row file | 13.7 (13.7-13.7) | 0.27x full | <= 9 s | "
        "out of reach: bare trips + metrics bound 9.4 s > 9 s |" in table
    )
    assert (
        "| bound: bare trips job and its hourly metrics over the same 3,000-row file | "
        "9.4 (9.4-9.4) | | | |" in table
    )
    assert "| context: bare trips job alone over that file | 8.6 (8.6-8.6) | | | |" in table
    assert (
        "| fixed cost of a run: job over one small file | 13.7 s | <= 9 s | "
        "out of reach: bare trips + metrics bound 9.4 s > 9 s |" in summary(results)
    )


def test_the_python_udf_target_follows_the_plans():
    rounds = [_round(10, 50)]
    assert Results(1, 1, rounds, PLANS).status["no_python_udfs"] == "met"
    with_udf = PlanStats(queries=4, python_udf_nodes=1, shuffle_exchanges=2, broadcast_exchanges=0)
    results = Results(1, 1, rounds, with_udf)
    assert results.passed["no_python_udfs"] is False
    assert "| Python UDF nodes in the job's plans | 1 | 0 | MISSED |" in summary(results)


def test_results_of_an_older_bench_still_render():
    # Saved before the late batch, the bare tiny run and the Spark job count existed, with the
    # targets of the time: their rows say "not measured", the rest is recomputed.
    old_round = {
        k: v for k, v in _round(10, 30).items() if k not in {"late", "bare_tiny", "job_parquet"}
    }
    body = json.loads(Results(3_000_000, 1, [old_round], PLANS).to_json())
    del body["plans"]["spark_jobs"]
    body["targets"] = {"job_vs_bare": 1.8, "job_vs_floor": 3.0}
    results = Results.from_json(json.dumps(body))

    assert results.plans.spark_jobs is None
    assert "late_vs_full" not in results.ratios
    assert "late_vs_full" not in results.status
    table = markdown(results)
    assert (
        "| job, late batch of 10% onto dates already loaded | not measured | - | <= 0.35 | |"
        in (table)
    )
    assert "| SQL queries / Spark jobs in a full-refresh run | 4 / not measured | | | |" in table
    assert "| job / bare trips job (CSV, no checks) | 2.00 | <= 1.3 | MISSED |" in summary(results)
    assert "| fixed cost of a run: job over one small file | 7.5 s | <= 9 s | met |" in summary(
        results
    )


def test_every_target_names_a_figure_the_bench_measures():
    workloads = set(_round(1, 1))
    for target in TARGETS.values():
        kind = workloads if target.seconds else {*RATIOS, *NET_RATIOS}
        assert target.figure in kind
        assert target.bound is None or target.bound in kind
    assert Target("job_tiny", 9, "x", seconds=True).shown_limit == "<= 9 s"

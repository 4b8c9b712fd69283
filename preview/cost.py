"""What one stack's Glue job costs: DPUs per run, an hour, one run and a month of its schedule.

Every price and runtime assumption lives in `ASSUMPTIONS` below, and the printout repeats them, so a
figure is never shown without what it rests on, nor without the costs it leaves out (the crawler,
S3, KMS, SNS, CloudWatch, SQS). Amounts are Decimals (exact cents in tests).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from components.config import StackConfig, cron_fields

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PriceAssumptions:
    """us-east-1 list prices and a runtime guess; other regions differ.

    Rates as published on https://aws.amazon.com/glue/pricing/ (read through secondary sources in
    Nov 2026, as the page renders its figures from templates): $0.44 per DPU-hour standard and
    $0.29 Flex; DPUs per worker from https://docs.aws.amazon.com/glue/latest/dg/worker-types.html.
    """

    standard_dpu_hour: Decimal = Decimal("0.44")
    flex_dpu_hour: Decimal = Decimal("0.29")
    # Glue bills per second with a 1-minute minimum per run (Glue >= 2.0).
    minimum_billed_minutes: int = 1
    # A guess for the sample-sized daily batch; the upper bound uses the job timeout instead.
    typical_run_minutes: int = 15
    # Runs per month = firings of the cron in this (non-leap) year / 12.
    reference_year: int = 2025
    # What the figures leave out. The crawler runs before every job run, but its DPUs are chosen
    # by AWS per crawl (not configurable), so no honest figure can be given for it.
    not_included: tuple[str, ...] = (
        "the crawler run before each job run (per DPU-hour, 10-minute minimum per crawl, "
        "DPUs chosen by AWS)",
        "S3 storage and requests",
        "KMS keys and requests",
        "SNS alerts",
        "CloudWatch logs and metrics",
        "SQS (event mode)",
    )

    def describe(self) -> str:
        """One line naming every assumption behind the figures."""
        return (
            f"${self.standard_dpu_hour}/DPU-hour standard, ${self.flex_dpu_hour} Flex, billed per "
            f"second with a {self.minimum_billed_minutes}-minute minimum; typical run "
            f"{self.typical_run_minutes} min (assumed); upper bound: every attempt runs to the "
            f"timeout; runs/month from the cron over {self.reference_year}"
        )


ASSUMPTIONS = PriceAssumptions()


@dataclass(frozen=True)
class CostEstimate:
    """The cost figures of one stack (amounts in USD, rounded to cents)."""

    stack: str
    worker_type: str
    workers: int
    dpus: int
    auto_scaling: bool
    execution_class: str
    rate_per_dpu_hour: Decimal
    cost_per_hour: Decimal
    typical_run_minutes: int
    typical_run_cost: Decimal
    timeout_minutes: int
    max_attempts: int
    max_run_cost: Decimal
    schedule: str
    runs_per_month: Decimal | None
    monthly_typical: Decimal | None
    monthly_upper_bound: Decimal | None
    unestimated_reason: str
    assumptions: PriceAssumptions


def estimate(config: StackConfig, assumptions: PriceAssumptions = ASSUMPTIONS) -> CostEstimate:
    """Estimate the job's cost for `config`; with auto scaling the figures use the maximum DPUs."""
    flex = config.execution_class == "FLEX"
    rate = assumptions.flex_dpu_hour if flex else assumptions.standard_dpu_hour
    dpus = config.max_dpus
    per_hour = rate * dpus
    typical_minutes = min(assumptions.typical_run_minutes, config.job_timeout_minutes)
    attempts = 1 + config.max_retries

    def run_cost(minutes: int) -> Decimal:
        billed = max(minutes, assumptions.minimum_billed_minutes)
        return per_hour * billed / 60

    runs_per_month = monthly_typical = monthly_max = None
    reason = ""
    try:
        runs_per_year = (
            cron_runs_in_year(config.schedule, assumptions.reference_year)
            if config.schedule
            else None
        )
    except UnsupportedScheduleError as error:
        runs_per_year, reason = None, str(error)
    if runs_per_year is not None:
        runs_per_month = _cents(Decimal(runs_per_year) / 12)
        monthly_typical = _cents(run_cost(typical_minutes) * runs_per_year / 12)
        # Each attempt of a failing run is billed, up to the timeout.
        monthly_max = _cents(run_cost(config.job_timeout_minutes) * attempts * runs_per_year / 12)
    return CostEstimate(
        stack=config.stack,
        worker_type=config.worker_type,
        workers=config.number_of_workers,
        dpus=dpus,
        auto_scaling=config.auto_scaling,
        execution_class=config.execution_class,
        rate_per_dpu_hour=rate,
        cost_per_hour=_cents(per_hour),
        typical_run_minutes=typical_minutes,
        typical_run_cost=_cents(run_cost(typical_minutes)),
        timeout_minutes=config.job_timeout_minutes,
        max_attempts=attempts,
        max_run_cost=_cents(run_cost(config.job_timeout_minutes) * attempts),
        schedule=config.schedule,
        runs_per_month=runs_per_month,
        monthly_typical=monthly_typical,
        monthly_upper_bound=monthly_max,
        unestimated_reason=reason,
        assumptions=assumptions,
    )


def format_estimate(cost: CostEstimate) -> str:
    """A few lines for the preview printout, ending with the assumptions and what is left out."""
    scaling = ", auto scaling: the maximum" if cost.auto_scaling else ""
    lines = [
        f"Cost estimate ({cost.stack})",
        f"  DPUs per run:  {cost.workers} x {cost.worker_type} = {cost.dpus} DPUs{scaling}",
        f"  one hour:      ${cost.cost_per_hour} ({cost.execution_class}, "
        f"${cost.rate_per_dpu_hour}/DPU-hour)",
        f"  one run:       ~${cost.typical_run_cost} typical ({cost.typical_run_minutes} min), "
        f"at most ${cost.max_run_cost} ({cost.max_attempts} x {cost.timeout_minutes} min timeout)",
    ]
    if cost.unestimated_reason:
        lines.append(f"  monthly:       not estimated: {cost.unestimated_reason}")
    elif cost.runs_per_month is None:
        lines.append("  monthly:       on demand (no schedule): the per-run figures apply per run")
    else:
        lines.append(
            f"  monthly:       {cost.schedule} = {cost.runs_per_month} runs: "
            f"~${cost.monthly_typical} typical, at most ${cost.monthly_upper_bound}"
        )
    lines.append(f"  assumptions:   {cost.assumptions.describe()}")
    lines.append(f"  not included:  {', '.join(cost.assumptions.not_included)}")
    return "\n".join(lines)


# --- cron: count the firings of an EventBridge/Glue cron in one year ---------------------------

_MONTHS = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}
# EventBridge numbers days of the week 1-7 from Sunday.
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class UnsupportedScheduleError(ValueError):
    """Not a valid cron expression, or one with a shape this estimate does not count (W, nL);
    the message says which."""


def cron_runs_in_year(schedule: str, year: int) -> int:
    """How often `cron(min hour day-of-month month day-of-week year)` fires in `year` (UTC).

    Handles *, ?, numbers, names (JAN, MON), ranges, lists, steps, `L` (last day of the month) and
    `#` (nth weekday); a year field that excludes `year` gives 0.
    """
    try:
        minute, hour, dom, month, dow, year_field = cron_fields(schedule)
    except ValueError as error:
        raise UnsupportedScheduleError(f"{schedule!r} is not {error}") from None
    if year not in _expand(year_field, 1970, 2199, {}):
        return 0
    per_day = len(_expand(minute, 0, 59, {})) * len(_expand(hour, 0, 23, {}))
    months = _expand(month, 1, 12, _MONTHS)
    day = date(year, 1, 1)
    days = 0
    while day.year == year:
        if day.month in months and _day_matches(day, dom, dow):
            days += 1
        day += timedelta(days=1)
    return days * per_day


def _day_matches(day: date, dom: str, dow: str) -> bool:
    # Exactly one of the two day fields is "?" (cron_fields enforces it).
    if dom not in ("?", "*"):
        last = calendar.monthrange(day.year, day.month)[1]
        if dom == "L":
            return day.day == last
        return day.day in _expand(dom, 1, 31, {})
    if dow in ("?", "*"):
        return True
    weekday = day.isoweekday() % 7 + 1
    if "#" in dow:
        name, nth = dow.split("#")
        wanted = _expand(name, 1, 7, _WEEKDAYS)
        return weekday in wanted and (day.day - 1) // 7 + 1 == int(nth)
    return weekday in _expand(dow, 1, 7, _WEEKDAYS)


def _expand(field: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for part in field.upper().split(","):
        if part in ("*", "?"):
            values.update(range(low, high + 1))
            continue
        if "W" in part or part.endswith("L"):
            raise UnsupportedScheduleError(f"cron field {field!r} is not counted by this estimate")
        span, _, step = part.partition("/")
        if span == "*":
            start, stop = low, high
        elif "-" in span:
            first, last = span.split("-")
            start, stop = _value(first, names), _value(last, names)
        else:
            start = _value(span, names)
            stop = high if step else start
        values.update(range(start, stop + 1, int(step) if step else 1))
    return values


def _value(token: str, names: dict[str, int]) -> int:
    if token in names:
        return names[token]
    if not token.isdigit():
        raise UnsupportedScheduleError(f"cron value {token!r} is not counted by this estimate")
    return int(token)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)

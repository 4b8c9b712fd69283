"""Typed stack configuration: parsed and validated once, before any resource is declared.

`parse_config` is pure (a mapping of short keys to the strings Pulumi stores) so every rule is
unit-tested without the runtime; `load_config` only gathers those strings from `pulumi.Config`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import TypeVar

import pulumi

from etl.contract import CANONICAL_COLUMNS, DEFAULT_DEDUPE_KEYS

NAMESPACE = "glue-etl"

# Only the runtimes the job is built and tested for (Python 3.11 + Spark 3.5, as locally). Glue 4.0
# (Python 3.10, Spark 3.3) fails at import on `datetime.UTC` and lacks PySpark 3.5 functions;
# Glue 6.0 (Python 3.13, Spark 4) is untested.
GLUE_VERSIONS: tuple[str, ...] = ("5.0", "5.1")
GLUE_VERSION_REASON = (
    "the job is built and tested for Python 3.11 + Spark 3.5 only "
    "(4.0 is Python 3.10 + Spark 3.3, 6.0 is Python 3.13 + Spark 4)"
)

# Worker type -> DPUs per worker, for Spark ETL jobs on the supported Glue versions.
WORKER_TYPES: dict[str, int] = {
    "G.1X": 1,
    "G.2X": 2,
    "G.4X": 4,
    "G.8X": 8,
    "G.12X": 12,
    "G.16X": 16,
    "R.1X": 1,
    "R.2X": 2,
    "R.4X": 4,
    "R.8X": 8,
}
# Valid Glue worker types that cannot run this (Spark ETL) job: named so the error can say why.
UNSUPPORTED_WORKER_TYPES: dict[str, str] = {
    "G.025X": "streaming jobs only",
    "Z.2X": "Ray jobs only",
}
EXECUTION_CLASSES: tuple[str, ...] = ("STANDARD", "FLEX")
FLEX_WORKER_TYPES: tuple[str, ...] = ("G.1X", "G.2X")
RECRAWL_BEHAVIORS: tuple[str, ...] = (
    "CRAWL_EVERYTHING",
    "CRAWL_NEW_FOLDERS_ONLY",
    "CRAWL_EVENT_MODE",
)
EVENT_MODE = "CRAWL_EVENT_MODE"

_STACK_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$")
_CRON = re.compile(r"^cron\((?P<body>[^()]*)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/\-#L W]+$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


class ConfigError(ValueError):
    """A stack config value is invalid; the message is one line naming key, value and allowed."""


@dataclass(frozen=True)
class StackConfig:
    """Validated stack configuration; field names are the `glue-etl:` keys in snake_case.

    Keys, defaults and allowed values are documented in Pulumi.yaml and, generated from it, in the
    README's "Configuration reference".
    """

    project: str
    stack: str
    glue_version: str = "5.1"
    worker_type: str = "G.1X"
    number_of_workers: int = 2
    execution_class: str = "STANDARD"
    auto_scaling: bool = False
    job_timeout_minutes: int = 60
    max_retries: int = 0
    max_concurrent_runs: int = 1
    schedule: str = ""
    crawler_recrawl: str = "CRAWL_EVERYTHING"
    alert_email: str = ""
    protect_data: bool = False
    raw_retention_days: int = 0
    spark_ui: bool = False
    access_logs: bool = True
    dedupe_keys: tuple[str, ...] = DEFAULT_DEDUPE_KEYS

    @property
    def name_prefix(self) -> str:
        """`<project>-<stack>`: the prefix of every physical name, so stacks can share an account."""
        return f"{self.project}-{self.stack}"

    @property
    def event_mode(self) -> bool:
        """True when the crawler is driven by S3 events through SQS."""
        return self.crawler_recrawl == EVENT_MODE

    @property
    def dpu_per_worker(self) -> int:
        """DPUs of one worker of the configured type."""
        return WORKER_TYPES[self.worker_type]

    @property
    def max_dpus(self) -> int:
        """DPUs of one run at its largest (with auto scaling, numberOfWorkers is the maximum)."""
        return self.dpu_per_worker * self.number_of_workers


def _fail(key: str, value: object, allowed: str) -> ConfigError:
    return ConfigError(f"{NAMESPACE}:{key} = {value!r} is invalid; allowed: {allowed}")


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _fail(key, value, ", ".join(allowed))
    return value


def _int(key: str, value: str, low: int, high: int) -> int:
    text = value.strip()
    if not re.fullmatch(r"[+-]?\d+", text) or not low <= int(text) <= high:
        raise _fail(key, value, f"an integer from {low} to {high}")
    return int(text)


def _max_concurrent_runs(value: str) -> int:
    # Two runs over one curated bucket would race on its _state/ and staging (the job keeps one
    # run's recovery from touching another's only by running alone), so Glue must queue them.
    runs = _int("maxConcurrentRuns", value, 1, 1000)
    if runs != 1:
        raise _fail(
            "maxConcurrentRuns",
            value,
            "1 (runs share the curated bucket's state and staging, so they must not overlap)",
        )
    return runs


def _bool(key: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise _fail(key, value, "true or false")
    return lowered == "true"


def _glue_version(value: str) -> str:
    if value not in GLUE_VERSIONS:
        raise _fail("glueVersion", value, f"{', '.join(GLUE_VERSIONS)}; {GLUE_VERSION_REASON}")
    return value


def _worker_type(value: str) -> str:
    allowed = ", ".join(WORKER_TYPES)
    if value in UNSUPPORTED_WORKER_TYPES:
        raise _fail(
            "workerType", value, f"{allowed} ({value} is for {UNSUPPORTED_WORKER_TYPES[value]})"
        )
    if value not in WORKER_TYPES:
        raise _fail("workerType", value, allowed)
    return value


def cron_fields(expression: str) -> tuple[str, ...]:
    """The six fields (minute, hour, day-of-month, month, day-of-week, year) of a Glue/EventBridge
    `cron(...)` expression; ValueError, whose message says what is allowed, for anything else.

    The one parser of cron syntax: the config check and the cost estimate both use it.
    """
    allowed = "cron(min hour day-of-month month day-of-week year), UTC"
    match = _CRON.match(expression.strip())
    fields = tuple(match.group("body").split()) if match else ()
    if len(fields) != 6 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(allowed)
    # EventBridge/Glue cron: exactly one of day-of-month and day-of-week must be "?".
    if (fields[2] == "?") == (fields[4] == "?"):
        raise ValueError(allowed + " with '?' in exactly one of the day fields")
    return fields


def _schedule(value: str) -> str:
    if value == "":
        return value
    try:
        cron_fields(value)
    except ValueError as error:
        raise _fail("schedule", value, f'"" (on demand) or {error}') from None
    return value.strip()


def _email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise _fail("alertEmail", value, "empty or an e-mail address like team@example.com")
    return value


def _dedupe_keys(value: str) -> tuple[str, ...]:
    canonical = [c.name for c in CANONICAL_COLUMNS]
    allowed = "a non-empty list of distinct canonical columns: " + ", ".join(canonical)
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        raise _fail("dedupeKeys", value, allowed) from None
    if (
        not isinstance(parsed, list)
        or not parsed
        or not all(isinstance(k, str) and k in canonical for k in parsed)
        or len(set(parsed)) != len(parsed)
    ):
        raise _fail("dedupeKeys", value, allowed)
    return tuple(parsed)


T = TypeVar("T")


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


# The stack config keys (camelCase in the stack files), derived from the dataclass so they cannot
# drift apart.
CONFIG_KEYS: tuple[str, ...] = tuple(
    _camel(f.name) for f in fields(StackConfig) if f.name not in ("project", "stack")
)


def parse_config(raw: Mapping[str, str], stack: str, project: str = NAMESPACE) -> StackConfig:
    """Validate `raw` (short keys such as "workerType" -> string values) into a StackConfig.

    Missing keys take the `StackConfig` defaults; unknown keys are rejected so a typo in a stack
    file cannot silently fall back to a default.
    """
    defaults = StackConfig(project=project, stack=stack)
    # The stack name ends up in S3 bucket names: lower case, digits and hyphens, short enough that
    # `<project>-<stack>-curated-<account id>-<region>` stays within S3's 63 characters.
    if not _STACK_NAME.match(stack):
        raise _fail(
            "stack", stack, "1-16 lower-case letters, digits or hyphens (used in bucket names)"
        )
    known = set(CONFIG_KEYS)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _fail(unknown[0], raw[unknown[0]], "a known key: " + ", ".join(sorted(known)))

    def get(key: str, parse: Callable[[str], T], default: T) -> T:
        return parse(raw[key]) if key in raw else default

    glue_version = get("glueVersion", _glue_version, defaults.glue_version)
    worker_type = _worker_type(raw.get("workerType", defaults.worker_type))
    execution_class = get(
        "executionClass",
        lambda v: _choice("executionClass", v, EXECUTION_CLASSES),
        defaults.execution_class,
    )
    if execution_class == "FLEX" and worker_type not in FLEX_WORKER_TYPES:
        raise _fail(
            "executionClass",
            execution_class,
            f"STANDARD with workerType {worker_type} (FLEX needs {' or '.join(FLEX_WORKER_TYPES)})",
        )
    return StackConfig(
        project=project,
        stack=stack,
        glue_version=glue_version,
        worker_type=worker_type,
        number_of_workers=get(
            "numberOfWorkers",
            lambda v: _int("numberOfWorkers", v, 2, 299),
            defaults.number_of_workers,
        ),
        execution_class=execution_class,
        auto_scaling=get("autoScaling", lambda v: _bool("autoScaling", v), defaults.auto_scaling),
        job_timeout_minutes=get(
            "jobTimeoutMinutes",
            lambda v: _int("jobTimeoutMinutes", v, 1, 10080),
            defaults.job_timeout_minutes,
        ),
        max_retries=get("maxRetries", lambda v: _int("maxRetries", v, 0, 10), defaults.max_retries),
        max_concurrent_runs=get(
            "maxConcurrentRuns",
            _max_concurrent_runs,
            defaults.max_concurrent_runs,
        ),
        schedule=get("schedule", _schedule, defaults.schedule),
        crawler_recrawl=get(
            "crawlerRecrawl",
            lambda v: _choice("crawlerRecrawl", v, RECRAWL_BEHAVIORS),
            defaults.crawler_recrawl,
        ),
        alert_email=get("alertEmail", _email, defaults.alert_email),
        protect_data=get("protectData", lambda v: _bool("protectData", v), defaults.protect_data),
        raw_retention_days=get(
            "rawRetentionDays",
            lambda v: _int("rawRetentionDays", v, 0, 36500),
            defaults.raw_retention_days,
        ),
        spark_ui=get("sparkUi", lambda v: _bool("sparkUi", v), defaults.spark_ui),
        access_logs=get("accessLogs", lambda v: _bool("accessLogs", v), defaults.access_logs),
        dedupe_keys=get("dedupeKeys", _dedupe_keys, defaults.dedupe_keys),
    )


def project_settings(config: Mapping[str, str]) -> dict[str, str]:
    """This project's keys of a full config map (`glue-etl:workerType` -> `workerType`), as
    parse_config takes them; other namespaces such as `aws:region` are left out."""
    prefix = f"{NAMESPACE}:"
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}


def load_config() -> StackConfig:
    """Read this stack's `glue-etl:*` config once from the Pulumi runtime and validate it."""
    # The language host hands the program the whole config map; reading it (rather than only the
    # known keys) lets parse_config reject misspelt keys.
    everything: Mapping[str, str] = pulumi.runtime.config.CONFIG.get()
    return parse_config(
        project_settings(everything), stack=pulumi.get_stack(), project=pulumi.get_project()
    )

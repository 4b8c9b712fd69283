"""Bucket layout: the prefixes each bucket holds, and the lifecycle rules that bound what it keeps.

Every bucket is versioned, so every overwrite or delete leaves a noncurrent version and every
delete of a current object leaves a delete marker. The rules below bound both: noncurrent versions
expire after NONCURRENT_EXPIRY_DAYS (one day where the job or Glue rewrites objects all the time),
and delete markers whose versions are all gone are removed. Expiration actions only touch current
versions and a lone delete marker is only removed by `expired_object_delete_marker`:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
Where a prefix rule and the bucket-wide rule both expire a noncurrent version, both actions are
permanent deletions, so the earlier one (the prefix rule) takes effect.
"""

from __future__ import annotations

TEMP_PREFIX = "temp/"
SPARK_UI_PREFIX = "sparkui/"
CODE_PREFIX = "code/"
INPUT_PREFIX = "input/"
# The job writes each run's output under `_staging/<run_id>/` in the curated bucket, then copies it
# into place and deletes it: every run leaves a full noncurrent copy there.
STAGING_PREFIX = "_staging/"

TEMP_EXPIRY_DAYS = 7
SPARK_UI_EXPIRY_DAYS = 30
ACCESS_LOG_EXPIRY_DAYS = 365
NONCURRENT_EXPIRY_DAYS = 30
# Prefixes rewritten on every run (staging copies) or every 30 s (Spark UI event logs): their old
# versions are never needed, so they go after one day.
SHORT_NONCURRENT_DAYS = 1
ABORT_MULTIPART_DAYS = 7

Rule = dict[str, object]

# Per bucket role: the prefixes whose noncurrent versions expire after SHORT_NONCURRENT_DAYS.
SHORT_LIVED_VERSIONS: dict[str, tuple[str, ...]] = {
    "curated": (STAGING_PREFIX,),
    "scripts": (TEMP_PREFIX, SPARK_UI_PREFIX),
}


def lifecycle_rules(role: str, raw_retention_days: int = 0) -> list[Rule]:
    """The lifecycle rules of the bucket with `role` (raw, curated, scripts or logs)."""
    rules: list[Rule] = [
        {
            "id": "abort-incomplete-uploads",
            "status": "Enabled",
            "filter": {},
            "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_MULTIPART_DAYS},
        },
        _expire_noncurrent("expire-noncurrent-versions", "", NONCURRENT_EXPIRY_DAYS),
        {
            "id": "expire-delete-markers",
            "status": "Enabled",
            "filter": {},
            # Cannot be combined with days in one expiration: its own rule.
            "expiration": {"expired_object_delete_marker": True},
        },
    ]
    for prefix in SHORT_LIVED_VERSIONS.get(role, ()):
        rule_id = f"expire-noncurrent-{prefix.strip('/_').replace('_', '-')}"
        rules.append(_expire_noncurrent(rule_id, prefix, SHORT_NONCURRENT_DAYS))
    if role == "scripts":
        rules.append(_expire_prefix("expire-temp", TEMP_PREFIX, TEMP_EXPIRY_DAYS))
        rules.append(_expire_prefix("expire-spark-ui-logs", SPARK_UI_PREFIX, SPARK_UI_EXPIRY_DAYS))
    if role == "raw" and raw_retention_days > 0:
        rules.append(_expire_prefix("expire-raw-input", INPUT_PREFIX, raw_retention_days))
    if role == "logs":
        rules.append(_expire_prefix("expire-access-logs", "", ACCESS_LOG_EXPIRY_DAYS))
    return rules


def _expire_prefix(rule_id: str, prefix: str, days: int) -> Rule:
    return {
        "id": rule_id,
        "status": "Enabled",
        "filter": {"prefix": prefix} if prefix else {},
        "expiration": {"days": days},
    }


def _expire_noncurrent(rule_id: str, prefix: str, days: int) -> Rule:
    return {
        "id": rule_id,
        "status": "Enabled",
        "filter": {"prefix": prefix} if prefix else {},
        "noncurrent_version_expiration": {"noncurrent_days": days},
    }

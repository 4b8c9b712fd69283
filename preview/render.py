"""Text rendering of a captured graph: the resource tree with the inputs worth reading."""

from __future__ import annotations

import json
from typing import Any

# Per type, the inputs a reviewer looks at first; other types show none (the JSON has them all).
KEY_INPUTS: dict[str, tuple[str, ...]] = {
    "aws:kms/key:Key": ("enableKeyRotation", "deletionWindowInDays"),
    "aws:s3/bucket:Bucket": ("bucket", "forceDestroy"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "rules",
    ),
    "aws:s3/bucketVersioning:BucketVersioning": ("versioningConfiguration",),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("rules",),
    "aws:s3/bucketObjectv2:BucketObjectv2": ("key",),
    "aws:s3/bucketNotification:BucketNotification": ("queues",),
    "aws:s3/bucketLogging:BucketLogging": ("targetBucket", "targetPrefix"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("namespace", "metricName", "threshold"),
    "aws:sqs/queue:Queue": ("name", "kmsMasterKeyId", "redrivePolicy"),
    "aws:iam/role:Role": ("name",),
    "aws:glue/catalogDatabase:CatalogDatabase": ("name",),
    "aws:glue/crawler:Crawler": ("name", "recrawlPolicy", "schemaChangePolicy", "s3Targets"),
    "aws:glue/job:Job": (
        "name",
        "glueVersion",
        "workerType",
        "numberOfWorkers",
        "executionClass",
        "timeout",
        "maxRetries",
    ),
    "aws:glue/trigger:Trigger": ("type", "schedule", "predicate", "actions"),
    "aws:glue/workflow:Workflow": ("name",),
    "aws:sns/topic:Topic": ("name", "kmsMasterKeyId"),
    "aws:glue/catalogTable:CatalogTable": ("name", "tableType"),
}
MAX_VALUE_WIDTH = 110


def render_tree(graph: list[dict[str, Any]]) -> str:
    """One line per resource, indented under its parent: `type name  key=value ...`."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    known = {f"{e['type']}::{e['name']}" for e in graph}
    for entry in graph:
        parent = entry["parent"] if entry["parent"] in known else None
        children.setdefault(parent, []).append(entry)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for entry in children.get(parent, []):
            flags = "".join(
                f" [{flag}]" for flag in ("protect", "retainOnDelete") if entry.get(flag)
            )
            lines.append(f"{'  ' * depth}{entry['type']}  {entry['name']}{flags}")
            for key in KEY_INPUTS.get(entry["type"], ()):
                if key in entry["inputs"]:
                    value = json.dumps(entry["inputs"][key], sort_keys=True)
                    if len(value) > MAX_VALUE_WIDTH:
                        value = value[: MAX_VALUE_WIDTH - 3] + "..."
                    lines.append(f"{'  ' * (depth + 2)}{key} = {value}")
            walk(f"{entry['type']}::{entry['name']}", depth + 1)

    walk(None, 0)
    return "\n".join(lines)

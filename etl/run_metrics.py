"""The run report's counts as CloudWatch metrics, so alarms and dashboards need no log parsing.

Namespace and pipeline name come from the job arguments the stack sets; the metric names and the
`Pipeline` dimension are what the stack's alarm on failed files watches.
"""

from __future__ import annotations

from typing import Any

from etl.report import RunReport

DIMENSION = "Pipeline"


def report_metrics(report: RunReport) -> dict[str, int]:
    """Metric name -> value for one run."""
    return {
        "RowsRead": report.rows_read,
        "RowsWritten": report.rows_written,
        "RowsQuarantined": report.rows_quarantined,
        "DuplicatesDropped": report.duplicates_dropped,
        "FilesFailed": report.files_failed,
    }


def publish_metrics(cloudwatch: Any, namespace: str, pipeline: str, report: RunReport) -> None:
    """One PutMetricData call with every count of the run (a boto3 CloudWatch client)."""
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": DIMENSION, "Value": pipeline}],
                "Value": float(value),
                "Unit": "Count",
            }
            for name, value in report_metrics(report).items()
        ],
    )

"""Catalog: the stack's Glue database, a CSV classifier and the crawler over raw `input/`."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.bucket_layout import INPUT_PREFIX
from components.config import EVENT_MODE

RAW_TABLE_PREFIX = "raw_"

# Keep partitions in step with their table, merge new columns rather than replace the schema, group
# compatible files into one table, and index partitions for faster lookups.
CRAWLER_CONFIGURATION: dict[str, object] = {
    "Version": 1.0,
    "CrawlerOutput": {
        "Partitions": {"AddOrUpdateBehavior": "InheritFromTable"},
        "Tables": {"AddOrUpdateBehavior": "MergeNewColumns"},
    },
    "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"},
    "CreatePartitionIndex": True,
}


def schema_change_policy(recrawl_behavior: str) -> dict[str, str]:
    """The schema change policy Glue accepts with `recrawl_behavior`.

    CRAWL_NEW_FOLDERS_ONLY only allows LOG/LOG. Deletions are always only logged: a file vanishing
    from input/ must not drop a table other tools query.
    """
    update = "LOG" if recrawl_behavior == "CRAWL_NEW_FOLDERS_ONLY" else "UPDATE_IN_DATABASE"
    return {"update_behavior": update, "delete_behavior": "LOG"}


def database_name(name_prefix: str) -> str:
    """Glue/Athena-friendly database name: `glue-etl-dev` -> `glue_etl_dev`."""
    return name_prefix.replace("-", "_").lower()


@dataclass(frozen=True)
class CatalogArgs:
    """Inputs of the catalog component."""

    name_prefix: str
    raw_bucket: pulumi.Input[str]
    crawler_role_arn: pulumi.Input[str]
    security_configuration: pulumi.Input[str]
    recrawl_behavior: str
    protect_data: bool
    event_queue_arn: pulumi.Input[str] | None = None
    dead_letter_queue_arn: pulumi.Input[str] | None = None


class Catalog(pulumi.ComponentResource):
    """Database + CSV classifier + crawler whose tables describe the raw input."""

    database: aws.glue.CatalogDatabase
    classifier: aws.glue.Classifier
    crawler: aws.glue.Crawler

    def __init__(
        self, name: str, args: CatalogArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:catalog:Catalog", name, None, opts)
        if args.recrawl_behavior == EVENT_MODE and args.event_queue_arn is None:
            raise ValueError("CRAWL_EVENT_MODE needs event_queue_arn (see components/events.py)")
        self._name = name
        self._args = args
        self.database = self._create_database()
        self.classifier = self._create_classifier()
        self.crawler = self._create_crawler()
        self.database_name: pulumi.Output[str] = self.database.name
        self.crawler_name: pulumi.Output[str] = self.crawler.name
        self.register_outputs(
            {"database_name": self.database.name, "crawler_name": self.crawler.name}
        )

    def _create_database(self) -> aws.glue.CatalogDatabase:
        protect = self._args.protect_data
        return aws.glue.CatalogDatabase(
            f"{self._name}-database",
            name=database_name(self._args.name_prefix),
            description=f"{self._args.name_prefix}: raw input tables and curated tables",
            opts=pulumi.ResourceOptions(parent=self, protect=protect, retain_on_delete=protect),
        )

    def _create_classifier(self) -> aws.glue.Classifier:
        return aws.glue.Classifier(
            f"{self._name}-csv",
            name=f"{self._args.name_prefix}-csv",
            csv_classifier={
                "delimiter": ",",
                "quote_symbol": '"',
                # The job matches columns by header name (etl/contract.py): every input file
                # starts with a header row.
                "contains_header": "PRESENT",
                "allow_single_column": False,
                "disable_value_trimming": False,
            },
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_crawler(self) -> aws.glue.Crawler:
        args = self._args
        target: dict[str, pulumi.Input[str]] = {
            "path": pulumi.Output.concat("s3://", args.raw_bucket, "/", INPUT_PREFIX)
        }
        if args.recrawl_behavior == EVENT_MODE and args.event_queue_arn is not None:
            target["event_queue_arn"] = args.event_queue_arn
            if args.dead_letter_queue_arn is not None:
                target["dlq_event_queue_arn"] = args.dead_letter_queue_arn
        return aws.glue.Crawler(
            f"{self._name}-crawler",
            name=f"{args.name_prefix}-raw-crawler",
            database_name=self.database.name,
            role=args.crawler_role_arn,
            classifiers=[self.classifier.name],
            s3_targets=[target],
            table_prefix=RAW_TABLE_PREFIX,
            recrawl_policy={"recrawl_behavior": args.recrawl_behavior},
            schema_change_policy=schema_change_policy(args.recrawl_behavior),
            configuration=json.dumps(CRAWLER_CONFIGURATION, sort_keys=True),
            security_configuration=args.security_configuration,
            opts=pulumi.ResourceOptions(parent=self),
        )

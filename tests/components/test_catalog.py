"""Catalog: database per stack, CSV classifier, crawler settings valid together."""

from __future__ import annotations

import json

import pytest

from components.catalog import database_name, schema_change_policy
from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

CRAWLER = "aws:glue/crawler:Crawler"
QUEUE = f"arn:aws:sqs:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-dev-crawler-events"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_crawler_targets_raw_input_with_valid_policies(request, stack: str) -> None:
    graph: Graph = request.getfixturevalue(stack)
    crawler = graph.inputs(CRAWLER)
    assert crawler["name"] == f"glue-etl-{stack}-raw-crawler"
    assert crawler["databaseName"] == f"glue_etl_{stack}"
    assert crawler["role"] == f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/glue-etl-{stack}-crawler"
    assert crawler["s3Targets"] == [
        {"path": f"s3://glue-etl-{stack}-raw-{MOCK_ACCOUNT_ID}-us-east-1/input/"}
    ]
    assert crawler["classifiers"] == [f"glue-etl-{stack}-csv"]
    # Everything by default: files added to an already crawled folder (ops upload reuses folders)
    # are catalogued too, which CRAWL_NEW_FOLDERS_ONLY never does.
    assert crawler["recrawlPolicy"] == {"recrawlBehavior": "CRAWL_EVERYTHING"}
    assert crawler["schemaChangePolicy"] == {
        "updateBehavior": "UPDATE_IN_DATABASE",
        "deleteBehavior": "LOG",
    }
    assert crawler["securityConfiguration"] == f"glue-etl-{stack}-security"
    assert crawler["tablePrefix"] == "raw_"


def test_crawler_configuration_json(dev: Graph) -> None:
    assert json.loads(dev.inputs(CRAWLER)["configuration"]) == {
        "Version": 1.0,
        "CrawlerOutput": {
            "Partitions": {"AddOrUpdateBehavior": "InheritFromTable"},
            "Tables": {"AddOrUpdateBehavior": "MergeNewColumns"},
        },
        "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"},
        "CreatePartitionIndex": True,
    }


def test_csv_classifier_expects_a_header(dev: Graph) -> None:
    assert dev.inputs("aws:glue/classifier:Classifier") == {
        "name": "glue-etl-dev-csv",
        "csvClassifier": {
            "delimiter": ",",
            "quoteSymbol": '"',
            "containsHeader": "PRESENT",
            "allowSingleColumn": False,
            "disableValueTrimming": False,
        },
    }


def test_database_per_stack(dev: Graph, prod: Graph) -> None:
    assert dev.inputs("aws:glue/catalogDatabase:CatalogDatabase")["name"] == "glue_etl_dev"
    assert prod.inputs("aws:glue/catalogDatabase:CatalogDatabase")["name"] == "glue_etl_prod"
    assert database_name("Glue-ETL-qa") == "glue_etl_qa"


def test_event_mode_crawler_reads_the_queue(event_mode: Graph) -> None:
    crawler = event_mode.inputs(CRAWLER)
    assert crawler["recrawlPolicy"] == {"recrawlBehavior": "CRAWL_EVENT_MODE"}
    assert crawler["s3Targets"] == [
        {
            "path": f"s3://glue-etl-dev-raw-{MOCK_ACCOUNT_ID}-us-east-1/input/",
            "eventQueueArn": f"{QUEUE}-queue",
            "dlqEventQueueArn": f"{QUEUE}-dlq",
        }
    ]
    assert crawler["schemaChangePolicy"] == {
        "updateBehavior": "UPDATE_IN_DATABASE",
        "deleteBehavior": "LOG",
    }


@pytest.mark.parametrize(
    ("behavior", "expected"),
    [
        ("CRAWL_NEW_FOLDERS_ONLY", {"update_behavior": "LOG", "delete_behavior": "LOG"}),
        ("CRAWL_EVERYTHING", {"update_behavior": "UPDATE_IN_DATABASE", "delete_behavior": "LOG"}),
        ("CRAWL_EVENT_MODE", {"update_behavior": "UPDATE_IN_DATABASE", "delete_behavior": "LOG"}),
    ],
)
def test_schema_change_policy_fits_recrawl_behavior(behavior: str, expected: dict) -> None:
    assert schema_change_policy(behavior) == expected

"""GluePipeline and __main__: outputs, naming and parenting conventions, config errors first."""

from __future__ import annotations

import runpy

import pulumi
import pytest

from components.config import ConfigError, parse_config
from components.pipeline import GluePipeline, GluePipelineArgs
from preview.capture import PROGRAM
from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID, RecordingMocks, run_with_mocks, stack_config


def test_outputs_name_everything_an_operator_needs() -> None:
    outputs: dict[str, str] = {}

    def program() -> None:
        pipeline = GluePipeline("glue-etl-prod", GluePipelineArgs(parse_config({}, "prod")))
        pulumi.Output.all(**pipeline.outputs).apply(outputs.update)

    run_with_mocks(program, stack_config("prod"), stack="prod")
    suffix = f"{MOCK_ACCOUNT_ID}-us-east-1"
    assert outputs == {
        "raw_bucket": f"glue-etl-prod-raw-{suffix}",
        "curated_bucket": f"glue-etl-prod-curated-{suffix}",
        "scripts_bucket": f"glue-etl-prod-scripts-{suffix}",
        "kms_key_arn": f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/mock-key-id",
        "log_bucket": f"glue-etl-prod-logs-{suffix}",
        "database_name": "glue_etl_prod",
        "crawler_name": "glue-etl-prod-raw-crawler",
        "job_name": "glue-etl-prod-etl",
        "workflow_name": "glue-etl-prod-pipeline",
        "start_run_command": (
            "python -m ops run --stack prod"
            "  # or: aws glue start-workflow-run --name glue-etl-prod-pipeline"
        ),
    }


def test_components_follow_naming_and_parenting(dev: Graph) -> None:
    components = [r for r in dev.resources if not r.custom]
    by_urn = {r.urn: r for r in dev.resources}
    assert all(r.type.startswith("glue-etl:") for r in components)
    pipeline = dev.one("glue-etl:pipeline:GluePipeline")
    assert pipeline.name == "glue-etl-dev"
    for resource in dev.resources:
        if resource is pipeline:
            continue
        parent = by_urn[resource.parent]
        assert not parent.custom, f"{resource.name} is not parented to a component"
        assert resource.name.startswith(parent.name), (resource.name, parent.name)


def test_bad_config_fails_before_any_resource() -> None:
    mocks = RecordingMocks()
    with pytest.raises(ConfigError, match=r"^glue-etl:workerType = 'G\.025X' is invalid"):
        run_with_mocks(
            lambda: runpy.run_path(str(PROGRAM), run_name="__pulumi_program__"),
            stack_config("dev", {"workerType": "G.025X"}),
            stack="dev",
            mocks=mocks,
        )
    assert mocks.resources == []

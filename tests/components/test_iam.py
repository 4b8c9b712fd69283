"""IAM: two roles, inline least-privilege policies, no wildcard actions, prefixes scoped."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
RAW = f"arn:aws:s3:::glue-etl-dev-raw-{MOCK_ACCOUNT_ID}-us-east-1"
CURATED = f"arn:aws:s3:::glue-etl-dev-curated-{MOCK_ACCOUNT_ID}-us-east-1"
SCRIPTS = f"arn:aws:s3:::glue-etl-dev-scripts-{MOCK_ACCOUNT_ID}-us-east-1"
GLUE = f"arn:aws:glue:us-east-1:{MOCK_ACCOUNT_ID}"
CATALOG_RESOURCES = [
    f"{GLUE}:catalog",
    f"{GLUE}:database/glue_etl_dev",
    f"{GLUE}:table/glue_etl_dev/*",
]
LOG_GROUPS = f"arn:aws:logs:us-east-1:{MOCK_ACCOUNT_ID}:log-group:/aws-glue/*"
KEY_ARN = f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/mock-key-id"


def _actions(statement: dict) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else action


@pytest.mark.parametrize("stack", ["dev", "prod", "event_mode"])
@pytest.mark.parametrize("role", ["crawler", "job"])
def test_no_wildcard_actions_and_no_managed_policies(request, stack: str, role: str) -> None:
    graph: Graph = request.getfixturevalue(stack)
    for statement in graph.policy(POLICY, f"-{role}-policy")["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in _actions(statement):
            assert action != "*"
            assert not action.endswith(":*"), action
    assert graph.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []
    assert "managedPolicyArns" not in graph.inputs(ROLE, f"-iam-{role}")


@pytest.mark.parametrize("role", ["crawler", "job"])
def test_roles_trust_the_glue_service_without_source_conditions(dev: Graph, role: str) -> None:
    # AWS does not document Glue sending aws:SourceAccount on AssumeRole; a condition it does not
    # meet makes CreateCrawler fail ("Service is unable to assume provided role").
    trust = dev.policy(ROLE, f"-iam-{role}", field="assumeRolePolicy")
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "glue.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    assert dev.inputs(ROLE, f"-iam-{role}")["name"] == f"glue-etl-dev-{role}"


def test_crawler_reads_raw_input_and_writes_only_this_database(dev: Graph) -> None:
    statements = dev.statements(POLICY, "-crawler-policy")
    # What AWSGlueServiceRole gives a crawler on its buckets: unconditioned list and location.
    assert statements["ListRawBucket"] == {
        "Sid": "ListRawBucket",
        "Effect": "Allow",
        "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
        "Resource": RAW,
    }
    assert statements["ReadRawInput"]["Resource"] == f"{RAW}/input/*"
    assert statements["ReadRawInput"]["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]
    assert statements["CatalogThisDatabase"]["Resource"] == CATALOG_RESOURCES
    assert "glue:DeleteTable" not in statements["CatalogThisDatabase"]["Action"]
    assert "ConsumeCrawlerEvents" not in statements
    s3_resources = {
        str(s["Resource"]) for s in statements.values() if _actions(s)[0].startswith("s3:")
    }
    assert s3_resources == {RAW, f"{RAW}/input/*"}


def test_job_s3_access_is_per_prefix(dev: Graph) -> None:
    statements = dev.statements(POLICY, "-job-policy")
    grants = {
        sid: (s["Action"], s["Resource"])
        for sid, s in statements.items()
        if _actions(s)[0].startswith("s3:") and sid.startswith(("Read", "Write"))
    }
    read = ["s3:GetObject", "s3:GetObjectVersion"]
    write = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    assert grants == {
        "ReadRawInput": (read, f"{RAW}/input/*"),
        "ReadWriteCurated": (write, f"{CURATED}/*"),
        "ReadCode": (read, f"{SCRIPTS}/code/*"),
        "ReadWriteTemp": (write, f"{SCRIPTS}/temp/*"),
        "WriteSparkUiLogs": (write, f"{SCRIPTS}/sparkui/*"),
        "WriteScriptsFolderMarkers": (
            ["s3:PutObject", "s3:DeleteObject"],
            [f"{SCRIPTS}/temp_$folder$", f"{SCRIPTS}/sparkui_$folder$"],
        ),
    }
    buckets = {
        sid: (s["Action"], s["Resource"]) for sid, s in statements.items() if sid.startswith("List")
    }
    assert buckets == {
        "ListRawBucket": (["s3:ListBucket", "s3:GetBucketLocation"], RAW),
        "ListCurated": (
            ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            CURATED,
        ),
        "ListScripts": (
            ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            SCRIPTS,
        ),
    }
    assert all("Condition" not in statements[sid] for sid in buckets)
    assert statements["ProbeScriptsFolders"]["Resource"] == [
        f"{SCRIPTS}/temp",
        f"{SCRIPTS}/temp_$folder$",
        f"{SCRIPTS}/sparkui",
        f"{SCRIPTS}/sparkui_$folder$",
    ]
    assert statements["ReadCatalogThisDatabase"]["Resource"] == CATALOG_RESOURCES
    assert all(
        a.startswith("glue:Get") or a.startswith("glue:BatchGet")
        for a in statements["ReadCatalogThisDatabase"]["Action"]
    )


def test_job_registers_partitions_of_the_curated_tables_only(dev: Graph) -> None:
    statements = dev.statements(POLICY, "-job-policy")
    assert statements["RegisterCuratedPartitions"] == {
        "Sid": "RegisterCuratedPartitions",
        "Effect": "Allow",
        "Action": ["glue:BatchCreatePartition", "glue:BatchDeletePartition"],
        "Resource": [
            f"{GLUE}:catalog",
            f"{GLUE}:database/glue_etl_dev",
            f"{GLUE}:table/glue_etl_dev/trips",
            f"{GLUE}:table/glue_etl_dev/hourly_metrics",
        ],
    }
    # The only catalog write the job has, besides creating Hive's `default` database.
    writes = {
        sid
        for sid, s in statements.items()
        for a in _actions(s)
        if a.startswith("glue:") and not a.startswith(("glue:Get", "glue:BatchGet"))
    }
    assert writes == {"RegisterCuratedPartitions", "HiveMetastoreDefaultDatabase"}


def _allowed(statements: dict[str, dict], action: str, resource: str, **context: str) -> bool:
    """Whether an Allow statement grants `action` on `resource` (wildcards as IAM matches them;
    only the StringLike conditions these policies use, a key missing from `context` fails)."""
    for statement in statements.values():
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else resources
        if action not in _actions(statement):
            continue
        if not any(fnmatchcase(resource, pattern) for pattern in resources):
            continue
        like = statement.get("Condition", {}).get("StringLike", {})
        if all(
            key in context and any(fnmatchcase(context[key], p) for p in patterns)
            for key, patterns in like.items()
        ):
            return True
    return False


# The S3 requests one job run makes: a recursive listing of the raw input (after Hadoop's
# existence probe of the folder, a HEAD that must get 404 rather than 403 when the key is
# missing), reads of the listed files, and the processed-files state read and replaced.
JOB_RUN_REQUESTS = [
    ("s3:ListBucket", RAW, {"s3:prefix": "input/"}),
    ("s3:ListBucket", RAW, {}),
    ("s3:GetBucketLocation", RAW, {}),
    ("s3:GetObject", f"{RAW}/input", {}),
    ("s3:GetObject", f"{RAW}/input_$folder$", {}),
    ("s3:GetObject", f"{RAW}/input/2015/01/yellow.csv.gz", {}),
    ("s3:ListBucket", CURATED, {}),
    ("s3:GetObject", f"{CURATED}/_state/processed_files.json", {}),
    ("s3:PutObject", f"{CURATED}/_state/processed_files.json", {}),
    ("s3:DeleteObject", f"{CURATED}/_state/processed_files.json", {}),
    # The S3-optimised committer cleans up the multipart uploads of failed tasks.
    ("s3:ListBucketMultipartUploads", CURATED, {}),
    ("s3:AbortMultipartUpload", f"{CURATED}/_staging/run-1/trips/part-0.parquet", {}),
    # Glue's temp files and the Spark UI event logs it writes every 30 s: the folder probes
    # (HEAD without s3:prefix), their markers, and the files.
    ("s3:ListBucket", SCRIPTS, {}),
    ("s3:GetObject", f"{SCRIPTS}/sparkui", {}),
    ("s3:GetObject", f"{SCRIPTS}/sparkui_$folder$", {}),
    ("s3:PutObject", f"{SCRIPTS}/sparkui_$folder$", {}),
    ("s3:PutObject", f"{SCRIPTS}/sparkui/spark-application-1.inprogress", {}),
    ("s3:GetObject", f"{SCRIPTS}/temp", {}),
    ("s3:PutObject", f"{SCRIPTS}/temp_$folder$", {}),
    ("s3:AbortMultipartUpload", f"{SCRIPTS}/temp/part-1", {}),
    ("s3:ListBucketMultipartUploads", SCRIPTS, {}),
    ("s3:GetObject", f"{SCRIPTS}/code/etl-0123456789ab.zip", {}),
]


@pytest.mark.parametrize(("action", "resource", "context"), JOB_RUN_REQUESTS)
def test_job_role_allows_listing_input_and_keeping_its_state(
    dev: Graph, action: str, resource: str, context: dict[str, str]
) -> None:
    assert _allowed(dev.statements(POLICY, "-job-policy"), action, resource, **context)


def test_job_role_reads_nothing_else_in_the_raw_bucket(dev: Graph) -> None:
    statements = dev.statements(POLICY, "-job-policy")
    assert statements["ProbeRawInputFolder"]["Resource"] == [
        f"{RAW}/input",
        f"{RAW}/input_$folder$",
    ]
    assert not _allowed(statements, "s3:GetObject", f"{RAW}/other/a.csv")
    assert not _allowed(statements, "s3:PutObject", f"{RAW}/input/a.csv")
    assert not _allowed(statements, "s3:PutObject", f"{SCRIPTS}/code/glue_job-0123.py")
    assert not _allowed(statements, "s3:PutObject", f"{SCRIPTS}/code_$folder$")


@pytest.mark.parametrize("role", ["crawler", "job"])
def test_key_logs_and_security_configuration(dev: Graph, role: str) -> None:
    statements = dev.statements(POLICY, f"-{role}-policy")
    assert statements["UseStackKey"]["Resource"] == KEY_ARN
    assert statements["GlueLogs"]["Resource"] == LOG_GROUPS
    assert "logs:AssociateKmsKey" in statements["GlueLogs"]["Action"]
    assert statements["ReadSecurityConfiguration"]["Action"] == "glue:GetSecurityConfiguration"


def test_job_may_only_check_or_create_the_default_database(dev: Graph) -> None:
    default_db = dev.statements(POLICY, "-job-policy")["HiveMetastoreDefaultDatabase"]
    assert default_db["Action"] == ["glue:GetDatabase", "glue:CreateDatabase"]
    assert default_db["Resource"] == [f"{GLUE}:catalog", f"{GLUE}:database/default"]


def test_job_metrics_limited_to_glue_and_pipeline_namespaces(dev: Graph) -> None:
    statements = dev.statements(POLICY, "-job-policy")
    metrics = {
        sid: (s["Resource"], s["Condition"])
        for sid, s in statements.items()
        if "cloudwatch:PutMetricData" in _actions(s)
    }
    assert metrics == {
        "PublishGlueMetrics": ("*", {"StringEquals": {"cloudwatch:namespace": "Glue"}}),
        "PublishPipelineMetrics": ("*", {"StringEquals": {"cloudwatch:namespace": "GlueEtl"}}),
    }


def test_event_mode_crawler_consumes_only_its_queues(event_mode: Graph) -> None:
    consume = event_mode.statements(POLICY, "-crawler-policy")["ConsumeCrawlerEvents"]
    queue = f"arn:aws:sqs:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-dev-crawler-events"
    assert consume["Resource"] == [f"{queue}-queue", f"{queue}-dlq"]
    # The set AWS documents for event-mode crawlers, on the queue and the DLQ alike.
    assert sorted(consume["Action"]) == [
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ListDeadLetterSourceQueues",
        "sqs:ListQueueTags",
        "sqs:PurgeQueue",
        "sqs:ReceiveMessage",
        "sqs:SetQueueAttributes",
    ]
    assert "ConsumeCrawlerEvents" not in event_mode.statements(POLICY, "-job-policy")


@pytest.mark.parametrize("stack", ["dev", "event_mode"])
@pytest.mark.parametrize(
    ("role", "user"), [("crawler", "aws:glue/crawler:Crawler"), ("job", "aws:glue/job:Job")]
)
def test_crawler_and_job_wait_for_their_role_policy(
    request, stack: str, role: str, user: str
) -> None:
    # CreateCrawler checks that the role can read the event queue: a crawler created before its
    # inline policy fails ("SQS queue ... or the role provided does not have access to it").
    graph: Graph = request.getfixturevalue(stack)
    policy = graph.one(POLICY, f"-{role}-policy")
    assert policy.urn in graph.one(user).dependencies

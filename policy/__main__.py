"""Entry point run by `pulumi preview --policy-pack policy`: assembles the pack, nothing else."""

from policies import build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="glue-etl-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)

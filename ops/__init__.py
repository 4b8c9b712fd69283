"""Operator CLI for a deployed glue-etl stack: start and follow runs, list runs, repair the
catalog's partitions, upload input.

Usage: ``python -m ops {run,follow,status,catalog,upload} --stack STACK ...`` (see ``--help``).

Exit codes (shared by every command):
    0    success (for ``run --wait``: the run COMPLETED and no action failed)
    1    runtime failure: the run failed, stopped or errored; the workflow does not exist in AWS;
         the catalog refused a partition change, ``catalog --check`` found it out of line with
         the data, or ``catalog --apply`` found a job run in progress; the pulumi CLI is missing
         or cannot read the stack; any other AWS error
    2    usage error: bad arguments, a path that does not exist or holds no CSV files, a stack
         output the command needs is missing (deploy the stack or pass the name explicitly)
    130  interrupted with Ctrl-C while following; the workflow run itself keeps going
"""

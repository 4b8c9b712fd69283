"""Fake `awsglue.utils`: Glue's `--name value` argument convention."""

from __future__ import annotations


def getResolvedOptions(args: list[str], options: list[str]) -> dict[str, str]:
    resolved: dict[str, str] = {}
    for name in options:
        flag = f"--{name}"
        if flag not in args:
            raise KeyError(f"missing job argument {flag}")
        resolved[name] = args[args.index(flag) + 1]
    return resolved

"""JVM classes found once per JVM, by their full names.

py4j resolves `jvm.org.apache.hadoop.fs.Path` one dotted segment at a time: each of `org`,
`apache`, `hadoop`, `fs` and `Path` is a round trip to the JVM, where each segment that is not a
class is first tried as one (a failed class load). Creating one Hadoop `Path` that way cost six
round trips instead of one, and the driver creates a few for every file it lists, reads a header
or footer of, publishes or checks: thousands in a run over many files. A class found by its full
name costs one round trip, once; a static method found once is one more. The proxies hold no
JVM object, only the name, so keeping them holds nothing on the JVM.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def java_class(jvm: Any, name: str) -> Any:
    """py4j's proxy of the JVM class `name` (a full name, such as `org.apache.hadoop.fs.Path`)
    in the JVM view `jvm`: call it to construct one, or read its static members."""
    return getattr(jvm, name)


@cache
def static_method(jvm: Any, class_name: str, method: str) -> Callable[..., Any]:
    """The static method `method` of the JVM class `class_name`, found once per JVM view."""
    return getattr(java_class(jvm, class_name), method)

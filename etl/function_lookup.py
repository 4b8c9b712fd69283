"""Spark SQL functions found on the JVM once, not once per call.

PySpark 3.5 looks up the JVM side of every function it builds a Column with (`sf.col`, `sf.when`,
`sf.lit`, ...) by the class's short name, `functions`, on every call. py4j resolves a short name
by trying it in each package the gateway imports, in turn, and every miss is a failed class load
on the JVM: one `sf.col` costs three round trips to the JVM and about 0.3 ms, where the call
itself is one round trip. The job builds a few hundred expressions per file layout, so a batch
of many layouts spent seconds of driver time on these lookups alone.

`cache_function_lookups` makes PySpark find each function by the class's full name, once per JVM,
as PySpark 4 itself does (it looks up the full name, SPARK-48475). The JVM functions found are
static methods: nothing on the JVM is held by the cache. PySpark 4 (Glue 6) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pyspark
from pyspark import SparkContext
from pyspark.sql import functions as sf

_FUNCTIONS_CLASS = "org.apache.spark.sql.functions"


@cache
def _jvm_function(jvm: Any, name: str) -> Callable[..., Any]:
    return getattr(getattr(jvm, _FUNCTIONS_CLASS), name)


def _cached_jvm_function(name: str, sc: SparkContext) -> Callable[..., Any]:
    """`pyspark.sql.functions._get_jvm_function`, found once per JVM view and name."""
    assert sc._jvm is not None
    return _jvm_function(sc._jvm, name)


def cache_function_lookups() -> None:
    """Have `pyspark.sql.functions` find each JVM function once (module docstring). Safe to call
    again; does nothing on a PySpark whose functions are not looked up this way."""
    if not pyspark.__version__.startswith("3.") or not hasattr(sf, "_get_jvm_function"):
        return
    sf._get_jvm_function = _cached_jvm_function  # type: ignore[attr-defined]


def function_lookups_cached() -> bool:
    """Whether `cache_function_lookups` is in effect."""
    return getattr(sf, "_get_jvm_function", None) is _cached_jvm_function

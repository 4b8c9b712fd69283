"""JVM classes found once per JVM view, not on every use.

py4j resolves `jvm.org.apache.hadoop.fs.Path` one dotted segment at a time: each of `org`,
`apache`, `hadoop`, `fs` and `Path` is a round trip to the JVM, where each segment that is not a
class is first tried as one (a failed class load). Creating one Hadoop `Path` that way cost six
round trips instead of one, and the driver creates a few for every file it lists, reads a header
or footer of, publishes or checks: thousands in a run over many files. A class found by its full
name costs one round trip, once (`java_class`); each of its static methods found once is one
more (`StaticsFoundOnce`). The proxies hold no JVM object, only the name, so keeping them holds
nothing on the JVM.

PySpark 3.5 itself names a few classes by their short names on the JVM view, on every use:
`functions` (every Spark SQL function a Column is built with, `sf.col`, `sf.when`, `sf.lit`...,
each Column made from a name, and `~`), `PythonUtils` (every list of columns it passes, as in
`select`), `SparkSession` (the active session). py4j tries a short name in each package the
gateway imports, a failed class load on the JVM for each miss, then finds the method: three
round trips before the call itself, and 0.3-0.56 ms for an `sf.col` against 0.03-0.09 ms for a
Column method. The job builds a few hundred expressions per file layout, so a batch of many
layouts spent seconds of driver time on these lookups alone. `pin_pyspark_classes` gives the
view those names as attributes, each a class that finds its static methods once, so PySpark's
own calls go straight to the method: one round trip each.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from py4j.java_gateway import JavaClass, JavaMember, JVMView

# The classes PySpark 3.5 names by short name on its JVM view (`sc._jvm.X`) on hot paths.
PYSPARK_SHORT_NAMES = ("functions", "PythonUtils", "PythonSQLUtils", "SparkSession", "Column")


@cache
def java_class(jvm: Any, name: str) -> StaticsFoundOnce:
    """The JVM class `name` (a full name, such as `org.apache.hadoop.fs.Path`) in the JVM view
    `jvm`, found once: call it to construct one, or call its static methods."""
    return _found_once(getattr(jvm, name))


class StaticsFoundOnce(JavaClass):
    """A JVM class whose static methods are each found once (py4j asks the JVM for a member on
    every attribute access); fields and inner classes are still read on every access."""

    def __getattr__(self, name: str) -> Any:
        member = super().__getattr__(name)
        if isinstance(member, JavaMember):
            setattr(self, name, member)
        return member


def pin_pyspark_classes(jvm: Any) -> None:
    """Give the JVM view `jvm` each of PYSPARK_SHORT_NAMES as the class py4j finds for it, as
    a `StaticsFoundOnce` (module docstring). Safe to call again."""
    for name in PYSPARK_SHORT_NAMES:
        if isinstance(vars(jvm).get(name), StaticsFoundOnce):
            continue
        found = JVMView.__getattr__(jvm, name)
        if isinstance(found, JavaClass):
            setattr(jvm, name, _found_once(found))


def _found_once(found: JavaClass) -> StaticsFoundOnce:
    return StaticsFoundOnce(found._fqn, found._gateway_client)

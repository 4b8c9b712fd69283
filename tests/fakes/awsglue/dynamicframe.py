"""Fake `awsglue.dynamicframe`: a DynamicFrame that only wraps a DataFrame."""

from __future__ import annotations

from pyspark.sql import DataFrame


class DynamicFrame:
    def __init__(self, df: DataFrame, name: str = "") -> None:
        self._df = df
        self.name = name

    def toDF(self) -> DataFrame:
        return self._df

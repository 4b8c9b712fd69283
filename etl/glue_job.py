"""AWS Glue entrypoint: arguments, bookmarked read, the shared pipeline core, report, commit.

Job arguments (set by the infrastructure): --input_path (s3://<raw bucket>/input/),
--output_path (s3://<curated bucket>/), --dedupe_keys (comma-separated canonical column names).
Job bookmarks pick the files not processed before; the merge keeps a re-run idempotent.
"""

from __future__ import annotations

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import DataFrame
from pyspark.sql import functions as sf

from etl.pipeline import RunOptions, dedupe_keys_from, run_pipeline
from etl.report import new_run_id, write_report
from etl.storage import Storage

JOB_ARGUMENTS = ["JOB_NAME", "input_path", "output_path", "dedupe_keys"]
SOURCE_FILE_COLUMN = "source_file"

# One record per raw text line: a separator that never occurs in the data (Ctrl-A), quoting
# turned off (-1) and no header handling, so the pipeline sees each file's header and cells as
# written and parses them itself. attachFilename adds the file each line came from.
RAW_LINE_FORMAT_OPTIONS = {
    "separator": "\u0001",
    "quoteChar": -1,
    "withHeader": False,
    "attachFilename": SOURCE_FILE_COLUMN,
}


def read_raw_lines(glue_context: GlueContext, input_path: str) -> DataFrame:
    """Bookmarked read of every CSV under `input_path` as (`source_file`, `line`)."""
    frame = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [input_path], "recurse": True},
        format="csv",
        format_options=RAW_LINE_FORMAT_OPTIONS,
        transformation_ctx="raw_trips",
    )
    df = frame.toDF()
    line = next(name for name in df.columns if name != SOURCE_FILE_COLUMN)
    # A reader that ignores attachFilename still knows each record's file through Spark itself.
    source = (
        sf.col(SOURCE_FILE_COLUMN) if SOURCE_FILE_COLUMN in df.columns else sf.input_file_name()
    )
    return df.select(source.alias(SOURCE_FILE_COLUMN), sf.col(line).cast("string").alias("line"))


def main(argv: list[str]) -> None:
    """Run one Glue job execution."""
    args = getResolvedOptions(argv, JOB_ARGUMENTS)
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)

    spark = glue_context.spark_session
    options = RunOptions(
        output_root=args["output_path"],
        run_id=new_run_id(),
        mode="incremental",
        dedupe_keys=dedupe_keys_from(args["dedupe_keys"]),
    )
    report = run_pipeline(spark, read_raw_lines(glue_context, args["input_path"]), options)
    write_report(Storage(spark), options.output_root, report)
    print(report.to_json())
    job.commit()


if __name__ == "__main__":
    main(sys.argv)

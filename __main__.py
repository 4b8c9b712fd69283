"""Pulumi program: validate the stack config, declare the pipeline, export what operators need."""

import pulumi

from components.config import load_config
from components.pipeline import GluePipeline, GluePipelineArgs

config = load_config()
pipeline = GluePipeline(config.name_prefix, GluePipelineArgs(config=config))
for output_name, value in pipeline.outputs.items():
    pulumi.export(output_name, value)

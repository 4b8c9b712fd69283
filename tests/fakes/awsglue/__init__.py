"""A tiny stand-in for AWS Glue's `awsglue` package, over real local Spark (tests only)."""

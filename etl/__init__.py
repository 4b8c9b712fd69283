"""The PySpark ETL job: the same code runs in AWS Glue and on local Spark."""

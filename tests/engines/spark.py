"""Runs yardstick's Spark SQL in a local Spark, one session for every query (a JVM takes
seconds to start): tests/integration/sql.rs writes the job and reads the answers.

    python3 tests/engines/spark.py JOB OUT

JOB is JSON, {"tables": {name: parquet file}, "queries": {id: sql}}: each file becomes a
table of its name, then each query runs. OUT gets {id: [row, ...]}, each row an object.
"""

import json
import sys

from pyspark.sql import SparkSession

job_path, out_path = sys.argv[1], sys.argv[2]
with open(job_path, encoding="utf-8") as f:
    job = json.load(f)
spark = (
    SparkSession.builder.master("local[2]")
    .appName("yardstick-sql")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.ui.enabled", "false")
    # Timestamps written as UTC without a zone read as timestamps, not TIMESTAMP_NTZ.
    .config("spark.sql.parquet.inferTimestampNTZ.enabled", "false")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
for name, path in job["tables"].items():
    spark.read.parquet(path).createOrReplaceTempView(name)
answers = {}
for key, sql in job["queries"].items():
    rows = spark.sql(sql.strip().rstrip(";")).collect()
    answers[key] = [row.asDict(recursive=True) for row in rows]
with open(out_path, "w", encoding="utf-8") as f:
    json.dump(answers, f, default=str)
spark.stop()

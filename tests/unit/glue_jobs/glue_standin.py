"""A recording stand-in for the calls of the Glue jobs (playlists, charts) that need the
Glue runtime, which exists only on AWS and in the Glue image: ``GlueContext`` (its JVM side),
``create_dynamic_frame.from_options`` (Glue's bookmarked S3 reader) and
``Job.init``/``Job.commit`` (Glue's bookmark service). Its DynamicFrame is a real Spark
DataFrame read from the files "Glue's bookmark" hands over, so everything after that runs on
real Spark; ``getResolvedOptions`` is the real one from the awsglue sources.

Used by tests/unit/glue_jobs/test_star_schema_job.py, test_chart_job_entry.py and
tests/integration/test_glue_tracks.py.
"""

from __future__ import annotations

from pathlib import Path

from awsglue.utils import getResolvedOptions

from glue_jobs import star_schema_job as job


class RecordingGlue:
    """The Glue API of ``star_schema_job.main`` (``.api``), recording every call (``.calls``).

    ``delivered``: the files the bookmark hands over, for every read, or by the read's
    ``transformation_ctx``. At ``Job.commit`` it records the run summaries already written
    and whether ``published_table``'s folder is in place.
    """

    def __init__(
        self,
        spark,
        delivered: list[Path] | dict[str, list[Path]],
        curated: Path,
        published_table: str = "fact_playlist_item",
    ):
        self.spark = spark
        self.delivered = delivered
        self.curated = curated
        self.calls: list[tuple] = []
        self.frame = None  # a DataFrame to hand over instead of reading ``delivered``
        recorder = self

        class Frame:
            def __init__(self, df):
                self._df = df

            def toDF(self):
                return self._df

        class Reader:
            def from_options(self, **kwargs):
                recorder.calls.append(("from_options", kwargs))
                if recorder.frame is not None:
                    return Frame(recorder.frame)
                files = recorder.delivered
                if isinstance(files, dict):
                    files = files[kwargs["transformation_ctx"]]
                if not files:
                    return Frame(recorder.spark.createDataFrame([], "playlist_id string"))
                return Frame(recorder.spark.read.json([str(p) for p in files]))

        class Context:
            def __init__(self, sc):
                recorder.calls.append(("GlueContext", sc is recorder.spark.sparkContext))
                self.spark_session = recorder.spark
                self.create_dynamic_frame = Reader()

        class Job:
            def __init__(self, glue_context):
                self.glue_context = glue_context

            def init(self, name, args):
                # The root the job reads: --raw_path, or the chart job's --drop_path.
                recorder.calls.append(("init", name, args.get("raw_path", args.get("drop_path"))))

            def commit(self):
                # What is already in place when Glue's bookmark is committed.
                runs = sorted(p.name for p in (recorder.curated / "_runs").glob("*.json"))
                tables = (recorder.curated / published_table).is_dir()
                recorder.calls.append(("commit", runs, tables))

        self.api = job.GlueApi(GlueContext=Context, Job=Job, getResolvedOptions=getResolvedOptions)

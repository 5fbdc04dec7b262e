# The one front door. `make help` lists every target.
#
# Everything runs from a project-local virtual environment (.venv) that the first target
# creates from pyproject.toml, pinned by requirements/dev.lock. Checkov lives in its own
# environment (.venv-checkov) because its pins clash with current pytest.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= $(shell command -v python3.11 || command -v python3)
VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
CHECKOV_VENV := .venv-checkov
CHECKOV     := $(CHECKOV_VENV)/bin/checkov
CHECKOV_VERSION := 3.3.30
SPARK_SUBMIT := $(VENV)/bin/spark-submit
# The providers' schemas for tf-check (requirements/provider-schemas.txt), downloaded once.
PROVIDER_SCHEMAS := .cache/provider-schemas
SCHEMAS_STAMP := $(PROVIDER_SCHEMAS)/.downloaded

# Inputs of the parameterised targets (override on the command line).
RAW       ?= build/lake/raw/playlist_snapshots
TRACKS    ?=
CURATED   ?= build/lake/curated
OUT       ?= build/lake/raw/playlist_snapshots
LAKE      ?= build/lake
ENRICH_ARGS ?=
PLAYLISTS ?=
DEMO_DIR  ?= build/demo
AUTH_ARGS ?=
PYTEST_ARGS ?=
FILES     ?=
DROP      ?=
CHARTS_ARGS ?=
TEST_WORKERS ?= 3

export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml requirements/dev.lock
	@test -x "$(PYTHON)" || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "Python 3.11 is required (the Glue 5.0 and Lambda runtimes' version);" \
			"$(PYTHON) is $$($(PYTHON) -V 2>&1). Set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24" 2>&1 | grep -v "^WARNING: Location" || true
	@# Only the dependencies are installed: the project's packages run from the work tree.
	$(PY) -c 'import tomllib; x = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]; print("\n".join(r for k in ("lambda", "glue", "dev") for r in x[k]))' > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -c requirements/dev.lock -r $(VENV)/requirements.txt 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## Create .venv with the pinned dependencies

.PHONY: class-archive
class-archive: $(STAMP) ## Build the JVM class archive local Spark runs then start from (once per .venv; tools/class_archive.py)
	@$(PY) -m tools.class_archive

$(CHECKOV): 
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet "checkov==$(CHECKOV_VERSION)" 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0

$(SCHEMAS_STAMP): requirements/provider-schemas.txt | $(STAMP)
	rm -rf $(PROVIDER_SCHEMAS) && mkdir -p $(PROVIDER_SCHEMAS)
	$(PY) -m pip download --quiet --no-deps --only-binary :all: --require-hashes -r requirements/provider-schemas.txt -d $(PROVIDER_SCHEMAS) 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@touch $@

.PHONY: test
test: $(STAMP) tf-check ## Run the whole test suite (creates .venv on a fresh clone)
	@# Three workers on the 2 cores, one SparkSession each; a file's tests stay together on
	@# one worker. The Spark tests spend much of their time waiting (JVM round trips, tiny
	@# stages): a third worker keeps both cores busy (measured in docs/benchmarks.md).
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

.PHONY: lint
lint: $(STAMP) ## ruff lint + format check, sqlfluff on both SQL dialects
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint athena_sql snowflake_sql

.PHONY: fmt
fmt: $(STAMP) ## Format the Python code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: charts-add
charts-add: $(STAMP) ## Check chart files and add them to DROP=<folder or s3://bucket/prefix> (FILES="...", CHARTS_ARGS="--chart-date YYYY-MM-DD")
	@test -n "$(FILES)" -a -n "$(DROP)" || { echo 'usage: make charts-add FILES="a.csv b.csv" DROP=<folder or s3://bucket/prefix>'; exit 2; }
	$(PY) -m tools.charts_add --drop $(DROP) $(CHARTS_ARGS) $(FILES)

.PHONY: generate
generate: $(STAMP) ## Regenerate the files derived from glue_jobs/tables.py and athena_sql/views/
	$(PY) -m tools.generate

.PHONY: demo
demo: $(STAMP) ## Whole pipeline offline: fake Spotify API -> extractor -> Glue job -> DuckDB -> HTML report
	$(PY) -m tools.demo --dir $(DEMO_DIR)

.PHONY: demo-live
demo-live: $(STAMP) ## Same local pipeline against the real Spotify API (needs SPOTIFY_* and PLAYLISTS="id ...")
	$(PY) -m tools.demo --dir $(DEMO_DIR)-live --live $(PLAYLISTS)

.PHONY: extract-local
extract-local: $(STAMP) ## Extract PLAYLISTS="id ..." into OUT=<dir or s3://bucket/prefix>
	$(PY) -m extract_lambda --out $(OUT) $(PLAYLISTS)

.PHONY: enrich-local
enrich-local: $(STAMP) ## Describe charted tracks (GET /tracks/{id}) into LAKE=<folder>; ENRICH_ARGS="--todo F" or ids
	$(PY) -m extract_lambda.enrich --lake $(LAKE) $(ENRICH_ARGS)

.PHONY: spotify-auth
spotify-auth: $(STAMP) ## One-time authorization-code flow: prints the refresh token (AUTH_ARGS="--secret-id X" stores it)
	$(PY) -m extract_lambda.auth_setup $(AUTH_ARGS)

.PHONY: package-glue
package-glue: $(STAMP) ## Build dist/glue_jobs.zip (--extra-py-files) beside the job script
	$(PY) -m tools.package_glue

# The local job runs' JVM options (tools/jvm.py says why); JVM_OPTIONS= runs the JVM's defaults.
JVM_OPTIONS = $(shell $(PY) -m tools.jvm)
LOCAL_SPARK = PYSPARK_PYTHON=$(abspath $(PY)) $(SPARK_SUBMIT) --master 'local[2]' --driver-memory 4g \
	$(if $(strip $(JVM_OPTIONS)),--driver-java-options '$(strip $(JVM_OPTIONS))') --py-files dist/glue_jobs.zip

.PHONY: glue-local
glue-local: package-glue ## Run the Glue job script on plain PySpark: RAW=<dir> CURATED=<dir> [TRACKS=<track documents dir>]
	$(LOCAL_SPARK) \
		glue_jobs/star_schema_job.py --JOB_NAME star_schema_local \
		--raw_path $(RAW) --curated_path $(CURATED) $(if $(TRACKS),--tracks_path $(TRACKS))

.PHONY: charts-local
charts-local: package-glue ## Run the chart job on plain PySpark: DROP=<drop zone> CURATED=<dir>
	$(LOCAL_SPARK) \
		glue_jobs/chart_job.py --JOB_NAME charts_local \
		--drop_path $(DROP) --curated_path $(CURATED)

.PHONY: glue-container
glue-container: package-glue ## Run the same script in public.ecr.aws/glue/aws-glue-libs:5 (needs Docker)
	$(PY) -m tools.glue_container --raw $(RAW) --curated $(CURATED)

.PHONY: query
query: $(STAMP) ## Run the Athena analytics locally on DuckDB: CURATED=<dir>
	$(PY) -m tools.query --curated $(CURATED)

.PHONY: package-lambda
package-lambda: $(STAMP) ## Build dist/extract_lambda.zip (spotipy and its dependencies inside)
	$(PY) -m tools.package_lambda

.PHONY: tf-check
tf-check: $(STAMP) $(CHECKOV) $(SCHEMAS_STAMP) ## Parse terraform/, check it against the providers' schemas and the code; run checkov
	$(PY) -m tools.tf_check --checkov $(CHECKOV) --provider-schemas $(PROVIDER_SCHEMAS)

.PHONY: bench
bench: $(STAMP) ## Benchmarks: Glue job vs pandas vs DuckDB, extractor vs fake API, chart backfill vs DuckDB, views over a year (results in docs/)
	$(PY) -m tools.bench --charts
	$(PY) -m tools.bench.queries --out build/bench/queries

.PHONY: bench-queries
bench-queries: $(STAMP) ## The views over 52 snapshots of 1,000 playlists and over 26, on DuckDB (results in docs/benchmarks.md)
	$(PY) -m tools.bench.queries --out build/bench/queries

.PHONY: bench-charts
bench-charts: $(STAMP) ## The chart backfill alone: chart job vs DuckDB (results in docs/benchmarks.md)
	$(PY) -m tools.bench --charts-only --out build/bench/charts-only

# build/lake (your extractions), build/demo-live (the live demo's weeks of real snapshots)
# and build/lambda-wheels (the wheels cached for offline rebuilds of the Lambda zip) are
# kept: they cannot be made again. Remove them by hand if you mean to.
.PHONY: clean
clean: ## Remove build outputs (keeps the virtual environments, build/lake, build/demo-live)
	rm -rf build/demo build/bench dist spark-warehouse metastore_db derby.log \
		.pytest_cache .ruff_cache .hypothesis

.PHONY: distclean
distclean: clean ## Also remove the virtual environments
	rm -rf $(VENV) $(CHECKOV_VENV) .cache

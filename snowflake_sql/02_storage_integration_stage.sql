-- 02_storage_integration_stage: how Snowflake reads the curated bucket. Access goes through a
-- storage integration (an IAM role Snowflake assumes); no access key appears anywhere.
-- Template variables (Snowflake CLI: snow sql -f 02_storage_integration_stage.sql
--   -D curated_bucket=<bucket> -D snowflake_role_arn=<arn>):
--   curated_bucket      the curated bucket (data contract, section 1:
--                       s3://<curated-bucket>/curated/)
--   snowflake_role_arn  the IAM role the integration assumes (Terraform output)
-- After creating the integration, `desc integration spotify_curated_s3` gives the
-- STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID that the role's trust policy needs.
-- Run as ACCOUNTADMIN (or a role with CREATE INTEGRATION).

use database spotify_lakehouse;

create storage integration if not exists spotify_curated_s3
type = external_stage
storage_provider = 'S3'
enabled = true
storage_aws_role_arn = '<% snowflake_role_arn %>'
storage_allowed_locations = ('s3://<% curated_bucket %>/curated/')
comment = 'Read-only access to the curated star schema';

-- Spark writes snappy Parquet; USE_LOGICAL_TYPE reads its DATE and TIMESTAMP columns as
-- dates and timestamps rather than as raw integers.
create file format if not exists landing.parquet_format
    type = parquet
    use_logical_type = true
    comment = 'The Glue job''s curated Parquet';

-- The stage is the curated root: each pipe reads its own table prefix below it, and the
-- bookkeeping folders (_runs, _quarantine, _state, _staging) are never read.
create stage if not exists landing.curated_stage
    storage_integration = spotify_curated_s3
    url = 's3://<% curated_bucket %>/curated/'
    file_format = landing.parquet_format
    comment = 'The curated root of the data contract, section 1';

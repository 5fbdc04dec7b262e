# One crawler per curated table prefix, so each table's name is its folder's name and
# nothing under the bookkeeping prefixes (_runs, _quarantine, _staging) becomes a table.
# Each table's crawler runs after the job that writes it (crawl_after_job below).

# With a security configuration that encrypts CloudWatch Logs, Glue does not log crawls to
# /aws-glue/crawlers but to /aws-glue/crawlers-role/<role path without the leading
# slash><role name>-<security configuration name>, and creates that group itself, with no
# retention and beyond `terraform destroy`. Declared (aws_cloudwatch_log_group.this in
# main.tf, with the jobs' groups) so that it has both.
locals {
  crawler_log_group = "/aws-glue/crawlers-role/${aws_iam_role.crawler.name}-${aws_glue_security_configuration.this.name}"
}

resource "aws_glue_crawler" "this" {
  for_each = var.tables

  name                   = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  description            = each.value.partition == null ? "Keeps ${each.key}, rewritten by each run, in the catalog" : "Adds new ${each.value.partition} partitions of ${each.key} to the catalog"
  database_name          = aws_glue_catalog_database.this.name
  role                   = aws_iam_role.crawler.arn
  security_configuration = aws_glue_security_configuration.this.name

  s3_target {
    path = "${local.curated_path}${each.key}/"
  }

  # New columns are merged into the table and new partitions inherit its schema; the
  # crawler never drops a table or a column on its own (LOG only).
  schema_change_policy {
    update_behavior = "UPDATE_IN_DATABASE"
    delete_behavior = "LOG"
  }

  recrawl_policy {
    recrawl_behavior = "CRAWL_EVERYTHING"
  }

  configuration = jsonencode({
    Version = 1.0
    Grouping = {
      TableGroupingPolicy = "CombineCompatibleSchemas"
    }
    CrawlerOutput = {
      Partitions = { AddOrUpdateBehavior = "InheritFromTable" }
      Tables     = { AddOrUpdateBehavior = "MergeNewColumns" }
    }
  })

  depends_on = [aws_iam_role_policy.crawler, aws_cloudwatch_log_group.this]
}

# In each job's workflow (workflow.tf, charts.tf), a conditional trigger starts the crawlers
# of the tables the job writes (var.tables' source) when the job SUCCEEDED.
locals {
  crawl_after_job = {
    playlists = {
      name        = "crawl-after-star-schema"
      description = "Starts the crawlers when the star-schema job succeeded"
      workflow    = aws_glue_workflow.this.name
      job         = aws_glue_job.this["playlists"].name
    }
    charts = {
      name        = "crawl-after-charts"
      description = "Starts the chart tables' crawlers when the chart job succeeded"
      workflow    = aws_glue_workflow.charts.name
      job         = aws_glue_job.this["charts"].name
    }
  }
}

resource "aws_glue_trigger" "crawl_after_job" {
  for_each = local.crawl_after_job

  name              = "${var.name_prefix}-${each.value.name}"
  description       = each.value.description
  type              = "CONDITIONAL"
  workflow_name     = each.value.workflow
  start_on_creation = true

  predicate {
    conditions {
      job_name         = each.value.job
      state            = "SUCCEEDED"
      logical_operator = "EQUALS"
    }
  }

  dynamic "actions" {
    for_each = {
      for table, settings in var.tables : table => aws_glue_crawler.this[table].name
      if settings.source == each.key
    }

    content {
      crawler_name = actions.value
    }
  }
}

# The job's data-quality rules (glue_jobs/quality.py RULES) as AWS Glue Data Quality
# rulesets on the Data Catalog tables the crawlers keep: one ruleset per table with rules,
# read from data_quality/<table>.dqdl, which `python -m glue_jobs.quality --write-dqdl`
# generates for exactly the tables RULES covers (a test fails when they differ from the
# rules). A table without rules (yet) has no file, so no ruleset. The job checks every run's new partitions
# itself (run summary, DataQualityFailures metric); these rulesets let the same rules be run
# over a whole table from the Glue console or StartDataQualityRulesetEvaluationRun.
#
# The files are templates: the '#' header lines are dropped here, and ${database} (the
# rules that read another table, by its catalog name in CustomSql) becomes this module's
# catalog database.

resource "aws_glue_data_quality_ruleset" "this" {
  for_each = toset([
    for file in fileset("${path.module}/data_quality", "*.dqdl") : trimsuffix(file, ".dqdl")
  ])

  name        = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  description = "Data-quality rules of ${each.key} (generated from glue_jobs/quality.py; see docs/data-quality.md)"
  ruleset = join("\n", [
    for line in split("\n", templatefile("${path.module}/data_quality/${each.key}.dqdl", {
      database = aws_glue_catalog_database.this.name
    })) : line if !startswith(line, "#")
  ])

  target_table {
    database_name = aws_glue_catalog_database.this.name
    table_name    = each.key
  }
}

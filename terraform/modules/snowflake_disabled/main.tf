# The stand-in for modules/snowflake when var.snowflake_enabled is false: the same
# variables and outputs (tools/tf_check requires both to match), no resources. With no
# Snowflake resource in the configuration, Terraform prunes the Snowflake provider from the
# graph and never configures it, so an AWS-only deployment needs no Snowflake credentials.
# Its variables.tf is a symlink to modules/snowflake/variables.tf, so the interface is
# declared once and cannot drift; the variables are accepted and not used, every output
# is null.

# The Spotify credentials. Terraform creates only the container: the value
# ({"client_id": ..., "client_secret": ..., "refresh_token": ...}, data contract
# section 6) is put out of band with `aws secretsmanager put-secret-value` or
# `make spotify-auth`, so it never appears in a plan, in state or in a tfvars file.
resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:The value is a Spotify app's client secret and a user's refresh token, issued by Spotify's dashboard and authorization flow; no Lambda can rotate them. Rotate by hand as described in docs/deploy.md.
  name                    = "${var.name_prefix}/spotify"
  description             = "Spotify Web API credentials of the extract Lambda (JSON: client_id, client_secret, refresh_token)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days
}

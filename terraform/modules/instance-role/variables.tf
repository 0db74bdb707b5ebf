variable "name" {
  description = "Name of the IAM role and instance profile (unique in the account)."
  type        = string
}

variable "artifacts_s3_uri" {
  description = "s3://bucket/prefix holding the edgehook and nats-server binaries the instances download at boot."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9][a-z0-9.-]+[a-z0-9](/[^/]+)*$", var.artifacts_s3_uri))
    error_message = "artifacts_s3_uri must look like s3://bucket/prefix, without a trailing slash."
  }
}

variable "secret_arns" {
  description = "Secrets Manager secrets the instances may read (full ARNs)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:", arn))])
    error_message = "secret_arns must be Secrets Manager ARNs, not names or values."
  }
}

variable "extra_policy_json" {
  description = "An additional IAM policy document for this role (null for none)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the role and instance profile."
  type        = map(string)
  default     = {}
}

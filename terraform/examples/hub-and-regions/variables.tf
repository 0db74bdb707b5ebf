variable "deployment_name" {
  description = "Name of the edgehook deployment: prefix of AWS resource names, EdgehookDeployment tag."
  type        = string
  default     = "edgehook"
}

variable "artifacts_s3_uri" {
  description = "s3://bucket/prefix holding the edgehook and nats-server binaries (arm64), readable from every AWS region used."
  type        = string
}

variable "hub" {
  description = "Where and how the hub runs."
  type = object({
    aws_region             = string
    cidr                   = string
    route53_zone_id        = string
    api_hostname           = string
    api_certificate_arn    = string
    leaf_hostname          = string
    jwt_secret_arn         = string
    secrets_key_secret_arn = string
    nats_tls_secret_arn    = string
    nats_logins_secret_arn = string
    # Days of delivery attempts the history database keeps.
    history_retention_days = optional(number, 30)
  })
}

variable "regions" {
  description = "edgehook regions (name => where and how). This example wires exactly eu and us; README.md says how to add one."
  type = map(object({
    aws_region                   = string
    cidr                         = string
    nats_tls_secret_arn          = string
    hub_leaf_password_secret_arn = string
    secrets_key_secret_arn       = string
    redis_auth_token_secret_arn  = string
    relay_max_instances          = optional(number, 20)
  }))

  validation {
    condition     = length(setsymmetricdifference(keys(var.regions), ["eu", "us"])) == 0
    error_message = "This example deploys exactly the regions eu and us (one module block and provider each); to add or remove one, edit main.tf as README.md explains."
  }
}

variable "monitoring_cidrs" {
  description = "Networks Prometheus scrapes from (ops/prometheus/prometheus.yml)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

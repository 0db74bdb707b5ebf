variable "deployment_name" {
  description = "Name of the edgehook deployment (as given to modules/hub): prefix of AWS resource names, EdgehookDeployment tag."
  type        = string
  default     = "edgehook"
}

variable "name" {
  description = "The edgehook region, e.g. eu: its JetStream domain, its relays' --region, one of the hub's regions."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,32}$", var.name)) && var.name != "hub"
    error_message = "name must be lowercase letters, digits and dashes (up to 32), not \"hub\"."
  }
}

variable "hub_leaf_url" {
  description = "The hub's leaf node listener (leaf_url of modules/hub), e.g. nats-leaf://leaf.edgehook.example.com:7422, without credentials (the login comes from hub_leaf_password_secret_arn)."
  type        = string

  validation {
    condition     = can(regex("^nats-leaf://[^@/'\"]+$", var.hub_leaf_url))
    error_message = "hub_leaf_url must be nats-leaf://host:port, without credentials."
  }
}

variable "hub_leaf_password_secret_arn" {
  description = "Secrets Manager secret (ARN, in this AWS region) whose value is the password of the hub's `region` leaf user: EDGEHOOK_NATS_LEAF_PASSWORD of the hub's NATS logins secret (`edgehook nats-keys`)."
  type        = string
}

variable "secrets_key_secret_arn" {
  description = "Secrets Manager secret (ARN, in this AWS region) whose value is the secrets key the relays open webhook signing secrets with (EDGEHOOK_SECRETS_KEY): the same value as the hub's secrets_key_secret_arn (standard base64 of 32 bytes)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the region."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets with a NAT gateway (relays call endpoints on the internet), one per availability zone, at least three."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 3
    error_message = "Give at least three private subnets, in three availability zones, so losing a zone keeps the JetStream quorum."
  }
}

variable "artifacts_s3_uri" {
  description = "s3://bucket/prefix holding the edgehook and nats-server binaries for the instances' architecture."
  type        = string
}

variable "architecture" {
  description = "CPU architecture of every instance and binary: arm64 (Graviton) or x86_64."
  type        = string
  default     = "arm64"
}

variable "nats_tls_secret_arn" {
  description = "Secrets Manager secret (ARN, in this AWS region) with the region's leaf TLS material, JSON {\"cert_pem\", \"key_pem\", \"ca_pem\"}: a client certificate signed by the CA the hub trusts, and that CA."
  type        = string
}

variable "redis_auth_token_secret_arn" {
  description = "Secrets Manager secret (ARN, in this AWS region) whose value is the Redis AUTH token (16 to 128 printable characters, no @, \" or /)."
  type        = string
}

variable "monitoring_cidrs" {
  description = "Networks allowed to scrape the relays' /metrics (9091) and NATS monitoring (8222)."
  type        = list(string)
  default     = []
}

variable "nats_instance_type" {
  description = "Instance type of the region's three NATS servers."
  type        = string
  default     = "m7g.xlarge"
}

variable "nats_data_volume_size_gib" {
  description = "JetStream volume of each of the region's NATS servers (see terraform/README.md for sizing)."
  type        = number
  default     = 2048
}

variable "nats_data_volume_iops" {
  description = "Provisioned IOPS of each regional JetStream volume."
  type        = number
  default     = 6000
}

variable "nats_data_volume_throughput_mibps" {
  description = "Provisioned throughput of each regional JetStream volume, in MiB/s."
  type        = number
  default     = 250
}

variable "relay_instance_type" {
  description = "Instance type of the relays."
  type        = string
  default     = "c7g.xlarge"
}

variable "relay_min_instances" {
  description = "Fewest relays (two, so one can fail or be replaced without stopping deliveries)."
  type        = number
  default     = 2
}

variable "relay_max_instances" {
  description = "Most relays the backlog may scale to."
  type        = number
  default     = 20
}

variable "relay_concurrency" {
  description = "Deliveries each relay has in flight at once (EDGEHOOK_RELAY_CONCURRENCY)."
  type        = number
  default     = 1024
}

variable "relay_target_backlog_per_instance" {
  description = "Deliveries waiting in the region's dispatch consumer per relay that the relay group scales to hold."
  type        = number
  default     = 5000
}

variable "redis_node_type" {
  description = "ElastiCache node type of the rate limit store (primary and replica)."
  type        = string
  default     = "cache.r7g.large"
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

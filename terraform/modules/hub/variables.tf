variable "deployment_name" {
  description = "Name of the edgehook deployment: prefix of AWS resource names, EdgehookDeployment tag."
  type        = string
  default     = "edgehook"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.deployment_name))
    error_message = "deployment_name must be lowercase letters, digits and dashes, at most 16 characters (load balancer names are short)."
  }
}

variable "regions" {
  description = "The edgehook regions (each deployed with modules/region), e.g. [\"eu\", \"us\"]: the control plane's --regions."
  type        = list(string)

  validation {
    condition     = length(var.regions) > 0 && alltrue([for r in var.regions : can(regex("^[a-z0-9-]{1,32}$", r)) && r != "hub"])
    error_message = "regions must be names of lowercase letters, digits and dashes (up to 32), not \"hub\"."
  }
}

variable "default_region" {
  description = "Region of a webhook registered without one (null: the first of regions)."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "VPC of the hub."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (with a NAT gateway), one per availability zone, at least three: NATS servers and services."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 3
    error_message = "Give at least three private subnets, in three availability zones, so losing a zone keeps the JetStream quorum."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets for the API load balancer (and the leaf load balancer unless it is internal)."
  type        = list(string)
}

variable "artifacts_s3_uri" {
  description = "s3://bucket/prefix holding the edgehook and nats-server (2.11 or newer) binaries for the instances' architecture."
  type        = string
}

variable "architecture" {
  description = "CPU architecture of every instance and binary: arm64 (Graviton) or x86_64."
  type        = string
  default     = "arm64"
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone in which api_hostname and leaf_hostname are created."
  type        = string
}

variable "api_hostname" {
  description = "Public name of the REST APIs (control plane and ingest), e.g. api.edgehook.example.com."
  type        = string
}

variable "api_certificate_arn" {
  description = "ACM certificate (ARN, in the hub's AWS region) for api_hostname, served by the HTTPS listener."
  type        = string
}

variable "portal_frame_ancestors" {
  description = "Origins allowed to show the consumer portal in a frame, e.g. [\"https://app.example.com\"] (same site as api_hostname: its session cookie is SameSite=Strict)."
  type        = list(string)
  default     = []
}

variable "api_allowed_cidrs" {
  description = "Networks allowed to reach the APIs on 443."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "leaf_hostname" {
  description = "Name regions connect to as leaf nodes, e.g. leaf.edgehook.example.com; the hub's NATS certificate must be valid for it."
  type        = string
}

variable "leaf_allowed_cidrs" {
  description = "Networks allowed to open leaf node connections: the regions' NAT gateway addresses (/32) over the internet, or their VPC CIDRs over a peering."
  type        = list(string)
}

variable "leaf_load_balancer_internal" {
  description = "Make the leaf load balancer internal (regions reach it through VPC peering or a transit gateway) instead of internet-facing."
  type        = bool
  default     = false
}

variable "jwt_secret_arn" {
  description = "Secrets Manager secret (ARN) whose value is the control plane's JWT signing key (at least 32 characters)."
  type        = string
}

variable "secrets_key_secret_arn" {
  description = "Secrets Manager secret (ARN, in the hub's AWS region) whose value is the secrets key of the control plane and ingest (EDGEHOOK_SECRETS_KEY): standard base64 of 32 random bytes (`openssl rand -base64 32`), the same value as every region's secrets_key_secret_arn. Losing it makes every stored signing and source secret unreadable."
  type        = string
}

variable "nats_logins_secret_arn" {
  description = "Secrets Manager secret (ARN) with the hub NATS server's logins, JSON with the keys `edgehook nats-keys` prints: EDGEHOOK_NATS_PASSWORD (the services' `edgehook` user), EDGEHOOK_NATS_AUTH_ISSUER (account public key A..., the auth callout's issuer), EDGEHOOK_NATS_LEAF_PASSWORD (the regions' `region` user; each region has it in its hub_leaf_password_secret_arn too) and EDGEHOOK_NATS_AUTH_SEED (the issuer's seed SA..., for ingest). Every hub instance may read it."
  type        = string
}

variable "nats_tls_secret_arn" {
  description = "Secrets Manager secret (ARN) with the hub NATS servers' leaf TLS material, JSON {\"cert_pem\", \"key_pem\", \"ca_pem\"}: a certificate for leaf_hostname and the CA that signs the regions' certificates."
  type        = string
}

variable "monitoring_cidrs" {
  description = "Networks allowed to scrape /metrics (control plane 8080, ingest 8081, router 9092) and NATS monitoring (8222)."
  type        = list(string)
  default     = []
}

variable "nats_instance_type" {
  description = "Instance type of the three hub NATS servers."
  type        = string
  default     = "m7g.2xlarge"
}

variable "nats_data_volume_size_gib" {
  description = "JetStream volume of each hub NATS server (each holds a replica of every stream; see terraform/README.md for sizing)."
  type        = number
  default     = 8192
}

variable "nats_data_volume_iops" {
  description = "Provisioned IOPS of each hub JetStream volume."
  type        = number
  default     = 12000
}

variable "nats_data_volume_throughput_mibps" {
  description = "Provisioned throughput of each hub JetStream volume, in MiB/s."
  type        = number
  default     = 500
}

variable "control_plane_instance_type" {
  description = "Instance type of the control plane."
  type        = string
  default     = "m7g.large"
}

variable "control_plane_instances" {
  description = "Number of control plane instances (fixed: its load is operators' and clients' API calls)."
  type        = number
  default     = 2
}

variable "ingest_instance_type" {
  description = "Instance type of ingest."
  type        = string
  default     = "c7g.xlarge"
}

variable "ingest_min_instances" {
  description = "Fewest ingest instances."
  type        = number
  default     = 3
}

variable "ingest_max_instances" {
  description = "Most ingest instances."
  type        = number
  default     = 15
}

variable "router_instance_type" {
  description = "Instance type of the router."
  type        = string
  default     = "c7g.xlarge"
}

variable "router_min_instances" {
  description = "Fewest router instances."
  type        = number
  default     = 2
}

variable "router_max_instances" {
  description = "Most router instances."
  type        = number
  default     = 8
}

variable "history_retention_days" {
  description = "Days of delivery attempts the history database keeps (the writer's --history-retention-days); whole days are dropped, so up to a day more is kept."
  type        = number
  default     = 30

  validation {
    condition     = var.history_retention_days >= 1 && floor(var.history_retention_days) == var.history_retention_days
    error_message = "history_retention_days must be a whole number of days, at least 1."
  }
}

variable "history_writer_instance_type" {
  description = "Instance type of the history writer (`edgehook history`)."
  type        = string
  default     = "c7g.large"
}

variable "history_writer_instances" {
  description = "Number of history writer instances (they share one JetStream consumer)."
  type        = number
  default     = 2
}

variable "history_database_engine_version" {
  description = "PostgreSQL version of the history database (RDS), major or major.minor, e.g. \"17\"; the parameter group family follows its major version."
  type        = string
  default     = "17"
}

variable "history_database_instance_class" {
  description = "RDS instance class of the history database (Multi-AZ)."
  type        = string
  default     = "db.r7g.2xlarge"
}

variable "history_database_storage_gib" {
  description = "Initial storage of the history database, in GiB (gp3, encrypted)."
  type        = number
  default     = 1024
}

variable "history_database_max_storage_gib" {
  description = "Up to where RDS grows the history database's storage by itself, in GiB (see terraform/README.md for sizing against history_retention_days)."
  type        = number
  default     = 32768
}

variable "history_database_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery) of the history database."
  type        = number
  default     = 7
}

variable "history_database_kms_key_arn" {
  description = "KMS key (ARN) encrypting the history database's storage, Performance Insights and the secret holding its URL (null: the AWS-managed keys). A customer-managed key must let the hub's instance roles kms:Decrypt."
  type        = string
  default     = null
}

variable "history_database_password_version" {
  description = "Raise it to give the history database a new password (made by Secrets Manager, never in the Terraform state) and store the new URL; then refresh the history writer and control plane instances."
  type        = number
  default     = 1
}

variable "target_cpu_percent" {
  description = "Average CPU the ingest and router groups scale to hold."
  type        = number
  default     = 50
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "deployment_name" {
  description = "Name of the edgehook deployment, prefixed to AWS resource names and put in the EdgehookDeployment tag."
  type        = string
}

variable "cluster_name" {
  description = "NATS cluster name (one per JetStream domain), also the prefix of this cluster's AWS resource names, e.g. edgehook-hub."
  type        = string
}

variable "server_name_prefix" {
  description = "Servers are named <prefix>-1, <prefix>-2, ...: unique in the cluster, as JetStream clustering requires."
  type        = string
}

variable "base_config" {
  description = "The repository's NATS configuration (the content of nats/conf/hub.conf or region.conf), installed verbatim."
  type        = string
}

variable "config_includes" {
  description = "Further configuration files (file name => content) included after the base and cluster.conf, in file name order; a block defined again replaces the base's."
  type        = map(string)
  default     = {}
}

variable "environment" {
  description = "Environment of nats-server for the variables the base configuration and the includes read (EDGEHOOK_REGION, EDGEHOOK_NATS_LEAF_PORT, ...), beside those this module sets. No secrets here (it is in the user data): those go in secret_environment."
  type        = map(string)
  default     = {}
}

variable "secret_environment" {
  description = "Environment of nats-server read from Secrets Manager at each start (passwords the configuration reads), never written in the user data: variable name => { secret_arn; json_key, to take that key of a JSON secret (null: the secret's value is a plain string); format, the variable's value with %s standing for the secret's (default \"%s\"), e.g. a URL with a password in it }. The instances may read these secrets."
  type = map(object({
    secret_arn = string
    json_key   = optional(string)
    format     = optional(string, "%s")
  }))
  default = {}

  validation {
    condition     = alltrue([for secret in values(var.secret_environment) : strcontains(secret.format, "%s") && !strcontains(secret.format, "'") && !strcontains(secret.format, "\"")])
    error_message = "Each secret_environment format must contain %s and no quotes."
  }
}

variable "cluster_size" {
  description = "Number of NATS servers: 3 (or 5) keeps a JetStream quorum, and R3 streams, through the loss of one (or two)."
  type        = number
  default     = 3

  validation {
    condition     = contains([3, 5], var.cluster_size)
    error_message = "cluster_size must be 3 or 5."
  }
}

variable "vpc_id" {
  description = "VPC of the servers."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, ideally one per availability zone; server i goes to subnet i modulo their number."
  type        = list(string)
}

variable "instance_type" {
  description = "EC2 instance type of the servers."
  type        = string
}

variable "architecture" {
  description = "CPU architecture of the instances and of the binaries in artifacts_s3_uri: arm64 (Graviton) or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "data_volume_size_gib" {
  description = "Size of each server's JetStream volume (every server holds a replica of every R3 stream)."
  type        = number
}

variable "data_volume_iops" {
  description = "Provisioned IOPS of each gp3 JetStream volume."
  type        = number
  default     = 6000
}

variable "data_volume_throughput_mibps" {
  description = "Provisioned throughput of each gp3 JetStream volume, in MiB/s."
  type        = number
  default     = 250
}

variable "client_security_group_ids" {
  description = "Security groups whose instances may connect to the NATS client port."
  type        = list(string)
  default     = []
}

variable "monitoring_cidrs" {
  description = "Networks allowed to reach the NATS monitoring port (/healthz, /varz)."
  type        = list(string)
  default     = []
}

variable "tls_secret_arn" {
  description = "Secrets Manager secret (ARN) holding this cluster's TLS material as JSON: {\"cert_pem\", \"key_pem\", \"ca_pem\"}."
  type        = string
}

variable "artifacts_s3_uri" {
  description = "s3://bucket/prefix with the nats-server binary (at <prefix>/nats-server) for the instances' architecture."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

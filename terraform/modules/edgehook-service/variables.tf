variable "deployment_name" {
  description = "Name of the edgehook deployment, put in the EdgehookDeployment tag."
  type        = string
}

variable "name" {
  description = "Prefix of this service's AWS resource names, e.g. edgehook-hub-ingest."
  type        = string
}

variable "service" {
  description = "The edgehook subcommand the instances run; also their EdgehookRole tag."
  type        = string

  validation {
    condition     = contains(["control-plane", "ingest", "router", "relay", "history"], var.service)
    error_message = "service must be one of control-plane, ingest, router, relay, history."
  }
}

variable "environment" {
  description = "Environment of the edgehook process (every flag has an EDGEHOOK_* variable). No secrets here: it is in the user data."
  type        = map(string)
}

variable "secret_environment" {
  description = "Environment variables read from Secrets Manager at each start, never written in the user data: variable name => { secret_arn; json_key, to take that key of a JSON secret (null: the secret's value is a plain string); format, the variable's value with %s standing for the secret's (default \"%s\"), e.g. a URL with a password in it }."
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

variable "vpc_id" {
  description = "VPC of the instances."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the autoscaling group spreads the instances over."
  type        = list(string)
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
}

variable "architecture" {
  description = "CPU architecture of the instances and of the edgehook binary in artifacts_s3_uri: arm64 or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "min_size" {
  description = "Fewest instances."
  type        = number
}

variable "max_size" {
  description = "Most instances the scaling policies may reach."
  type        = number
}

variable "service_ports" {
  description = "Ports the process listens on for its API and/or /metrics; monitoring_cidrs may reach them."
  type        = list(number)
}

variable "load_balancer" {
  description = "When set, the instances join this target group on this port, reachable from this load balancer security group, and are replaced when its health check fails."
  type = object({
    target_group_arn  = string
    security_group_id = string
    port              = number
  })
  default = null
}

variable "monitoring_cidrs" {
  description = "Networks allowed to scrape /metrics (Prometheus) on the service ports."
  type        = list(string)
  default     = []
}

variable "artifacts_s3_uri" {
  description = "s3://bucket/prefix with the edgehook binary (at <prefix>/edgehook) for the instances' architecture."
  type        = string
}

variable "extra_files" {
  description = "More files for cloud-init to write (a host agent and its systemd units, say)."
  type = list(object({
    path        = string
    permissions = string
    content     = string
  }))
  default = []
}

variable "extra_boot_commands" {
  description = "Shell commands run once at first boot, after edgehook has started."
  type        = list(string)
  default     = []
}

variable "extra_iam_policy_json" {
  description = "An additional IAM policy document for the instances (null for none)."
  type        = string
  default     = null
}

variable "stop_timeout_seconds" {
  description = "How long systemd lets the process finish in-flight work after SIGTERM."
  type        = number
  default     = 45
}

variable "tags" {
  description = "Tags added to every resource and instance."
  type        = map(string)
  default     = {}
}

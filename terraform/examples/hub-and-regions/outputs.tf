output "api_url" {
  description = "Base URL of the control plane and ingest APIs."
  value       = module.hub.api_url
}

output "leaf_url" {
  description = "The hub's leaf node listener the regions connect to."
  value       = module.hub.leaf_url
}

output "history_url_secret_arn" {
  description = "Secrets Manager secret (ARN) with the history database's URL (EDGEHOOK_HISTORY_URL), made by the hub module."
  value       = module.hub.history_url_secret_arn
}

output "nats_security_group_id" {
  description = "Security group of the hub's NATS servers."
  value       = module.hub.nats_security_group_id
}

output "relay_autoscaling_groups" {
  description = "Relay autoscaling group of each region."
  value = {
    eu = module.region_eu.relay_autoscaling_group_name
    us = module.region_us.relay_autoscaling_group_name
  }
}

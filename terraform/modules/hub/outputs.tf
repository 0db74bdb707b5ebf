output "api_url" {
  description = "Base URL of the control plane and ingest APIs."
  value       = "https://${var.api_hostname}"
}

output "leaf_url" {
  description = "What each region's NATS servers connect to (hub_leaf_url of modules/region, which adds the `region` login to it for EDGEHOOK_HUB_LEAF_URL)."
  value       = "nats-leaf://${var.leaf_hostname}:${local.leaf_port}"
}

output "nats_client_url" {
  description = "The hub's NATS servers, for edgehook processes inside the hub's VPC, without credentials: EDGEHOOK_NATS_URL needs the `edgehook` user's login in each URL (nats://edgehook:<password>@host:4222)."
  value       = module.nats.client_url
}

output "nats_security_group_id" {
  description = "Security group of the hub's NATS servers."
  value       = module.nats.security_group_id
}

output "nats_instance_ids" {
  description = "EC2 instances of the hub's NATS servers (hub-1, hub-2, hub-3)."
  value       = module.nats.instance_ids
}

output "api_load_balancer_dns_name" {
  description = "DNS name of the API load balancer (api_hostname points at it)."
  value       = aws_lb.api.dns_name
}

output "leaf_load_balancer_dns_name" {
  description = "DNS name of the leaf node load balancer (leaf_hostname points at it)."
  value       = aws_lb.leaf.dns_name
}

output "autoscaling_group_names" {
  description = "Autoscaling group of each hub service."
  value = {
    control_plane = module.control_plane.autoscaling_group_name
    ingest        = module.ingest.autoscaling_group_name
    router        = module.router.autoscaling_group_name
    history       = module.history_writer.autoscaling_group_name
  }
}

output "history_database_address" {
  description = "Host name of the history database (RDS PostgreSQL, private): for operators inside the VPC; the password is only in the history_url_secret_arn secret."
  value       = aws_db_instance.history.address
}

output "history_url_secret_arn" {
  description = "Secrets Manager secret (ARN) holding EDGEHOOK_HISTORY_URL, the history database's URL with its password, as the history writer and the control plane read it."
  value       = aws_secretsmanager_secret.history_url.arn
}

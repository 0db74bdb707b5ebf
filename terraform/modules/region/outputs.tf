output "nats_client_url" {
  description = "The region's NATS servers, for edgehook processes inside its VPC (EDGEHOOK_NATS_URL)."
  value       = module.nats.client_url
}

output "nats_security_group_id" {
  description = "Security group of the region's NATS servers."
  value       = module.nats.security_group_id
}

output "nats_instance_ids" {
  description = "EC2 instances of the region's NATS servers (<name>-1, -2, -3)."
  value       = module.nats.instance_ids
}

output "relay_autoscaling_group_name" {
  description = "Autoscaling group of the region's relays."
  value       = module.relays.autoscaling_group_name
}

output "relay_security_group_id" {
  description = "Security group of the region's relays."
  value       = module.relays.security_group_id
}

output "redis_primary_endpoint" {
  description = "Primary endpoint of the region's rate limit Redis."
  value       = aws_elasticache_replication_group.rate_limits.primary_endpoint_address
}

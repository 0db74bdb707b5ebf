output "private_ips" {
  description = "Private addresses of the servers, stable across instance replacements (they belong to the network interfaces)."
  value       = [for eni in aws_network_interface.server : eni.private_ip]
}

output "client_url" {
  description = "Every server's client URL, comma-separated, as EDGEHOOK_NATS_URL takes it."
  value       = join(",", [for eni in aws_network_interface.server : "nats://${eni.private_ip}:${local.client_port}"])
}

output "client_port" {
  description = "NATS client port."
  value       = local.client_port
}

output "monitor_port" {
  description = "NATS monitoring port (/healthz for load balancer health checks)."
  value       = local.monitor_port
}

output "security_group_id" {
  description = "Security group of the servers, to open further ports on (the hub's leaf port)."
  value       = aws_security_group.servers.id
}

output "instance_ids" {
  description = "EC2 instances of the servers, in server order (hub-1, hub-2, ...)."
  value       = aws_instance.server[*].id
}

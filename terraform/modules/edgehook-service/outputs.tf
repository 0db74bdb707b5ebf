output "security_group_id" {
  description = "Security group of the instances (to let them reach NATS or Redis)."
  value       = aws_security_group.instances.id
}

output "autoscaling_group_name" {
  description = "Autoscaling group, for scaling policies."
  value       = aws_autoscaling_group.instances.name
}

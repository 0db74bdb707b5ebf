output "instance_profile_name" {
  description = "Instance profile to give the instances."
  value       = aws_iam_instance_profile.this.name
}

output "role_name" {
  description = "The IAM role, to attach more policies to."
  value       = aws_iam_role.this.name
}

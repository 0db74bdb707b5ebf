# One edgehook service (control plane, ingest, router or relay) as an autoscaling group of
# identical, stateless instances: everything they hold lives in NATS, so any of them can be
# replaced or scaled in at any time. Scaling policies are the caller's: what to scale on
# differs (CPU for the hub's services, delivery backlog for relays).

locals {
  tags = merge(var.tags, {
    EdgehookDeployment = var.deployment_name
    EdgehookRole       = var.service
  })

  cloud_config = join("\n", ["#cloud-config", yamlencode({
    write_files = concat(
      [
        {
          path        = "/etc/edgehook/edgehook.env"
          permissions = "0644"
          content     = join("", [for key, value in var.environment : "${key}=\"${value}\"\n"])
        },
        {
          path        = "/etc/systemd/system/edgehook.service"
          permissions = "0644"
          content = templatefile("${path.module}/templates/edgehook.service.tftpl", {
            service              = var.service
            stop_timeout_seconds = var.stop_timeout_seconds
          })
        },
        {
          path        = "/usr/local/sbin/edgehook-fetch-secrets"
          permissions = "0755"
          content = templatefile("${path.module}/templates/fetch-secrets.sh.tftpl", {
            aws_region         = data.aws_region.current.region
            secret_environment = var.secret_environment
            secrets_file       = "/run/edgehook/secrets.env"
          })
        },
        {
          path        = "/usr/local/sbin/edgehook-bootstrap"
          permissions = "0755"
          content = templatefile("${path.module}/templates/bootstrap.sh.tftpl", {
            service          = var.service
            artifacts_s3_uri = var.artifacts_s3_uri
          })
        },
      ],
      var.extra_files,
    )
    runcmd = concat([["/usr/local/sbin/edgehook-bootstrap"]], var.extra_boot_commands)
  })])
}

data "aws_region" "current" {}

data "aws_ssm_parameter" "amazon_linux" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.architecture}"
}

module "role" {
  source = "../instance-role"

  name              = var.name
  artifacts_s3_uri  = var.artifacts_s3_uri
  secret_arns       = distinct([for secret in values(var.secret_environment) : secret.secret_arn])
  extra_policy_json = var.extra_iam_policy_json
  tags              = local.tags
}

# --- Network -------------------------------------------------------------------------------

resource "aws_security_group" "instances" {
  name_prefix = "${var.name}-"
  description = "edgehook ${var.service} instances"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_load_balancer" {
  count = var.load_balancer == null ? 0 : 1

  security_group_id            = aws_security_group.instances.id
  description                  = "API traffic and health checks from the load balancer"
  referenced_security_group_id = var.load_balancer.security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.load_balancer.port
  to_port                      = var.load_balancer.port
}

resource "aws_vpc_security_group_ingress_rule" "monitoring" {
  # One rule per (network, port).
  for_each = { for pair in setproduct(var.monitoring_cidrs, var.service_ports) : "${pair[0]} ${pair[1]}" => pair }

  security_group_id = aws_security_group.instances.id
  description       = "Prometheus scrapes /metrics"
  cidr_ipv4         = each.value[0]
  ip_protocol       = "tcp"
  from_port         = each.value[1]
  to_port           = each.value[1]
}

# Outbound: NATS, Redis, AWS APIs, and for relays the webhook endpoints anywhere on the internet.
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.instances.id
  description       = "NATS, Redis, AWS APIs, webhook endpoints"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

# --- Instances -----------------------------------------------------------------------------

resource "aws_launch_template" "instances" {
  name_prefix            = "${var.name}-"
  image_id               = data.aws_ssm_parameter.amazon_linux.insecure_value
  instance_type          = var.instance_type
  vpc_security_group_ids = [aws_security_group.instances.id]
  user_data              = base64gzip(local.cloud_config)
  update_default_version = true

  iam_instance_profile {
    name = module.role.instance_profile_name
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_type = "gp3"
      volume_size = 20
      encrypted   = true
    }
  }

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  monitoring {
    enabled = true
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, { Name = var.name })
  }

  tags = local.tags

  lifecycle {
    precondition {
      condition     = alltrue([for value in values(var.environment) : !strcontains(value, "\"")])
      error_message = "edgehook environment values may not contain double quotes (they are quoted in a systemd environment file)."
    }
  }
}

resource "aws_autoscaling_group" "instances" {
  name_prefix         = "${var.name}-"
  vpc_zone_identifier = var.subnet_ids
  min_size            = var.min_size
  max_size            = var.max_size
  target_group_arns   = var.load_balancer == null ? [] : [var.load_balancer.target_group_arn]

  # With a load balancer, a process that stops answering /healthz is replaced. (Not /readyz: when
  # the hub's NATS is down every instance is unready, and replacing them all would not help.)
  health_check_type         = var.load_balancer == null ? "EC2" : "ELB"
  health_check_grace_period = 120
  default_instance_warmup   = 60

  # GroupInServiceInstances feeds the relays' backlog-per-instance scaling metric.
  enabled_metrics = ["GroupInServiceInstances", "GroupDesiredCapacity"]

  launch_template {
    id      = aws_launch_template.instances.id
    version = aws_launch_template.instances.latest_version
  }

  # A new launch template version (new binary, new environment) rolls through the group.
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 90
    }
  }

  dynamic "tag" {
    for_each = local.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = false
    }
  }

  lifecycle {
    # Scaling policies own the desired capacity.
    ignore_changes = [desired_capacity]
  }
}

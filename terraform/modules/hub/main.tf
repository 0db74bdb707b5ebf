# The hub of an edgehook deployment: the central NATS cluster (JetStream domain `hub`, three
# servers, streams stored with three replicas), the control plane and ingest behind an HTTPS
# load balancer, the router, the history writer and its PostgreSQL database (history.tf), and a
# TLS leaf node listener the regions connect to through a network load balancer.
#
#   internet ──443──▶ ALB ──8080──▶ control plane ─┐
#                      └──8081──▶ ingest ──────────┼──4222──▶ NATS hub-1..3 ◀──7422 (mTLS)── NLB ◀── regions
#                                 router ──────────┤          (6222 between them)
#                                 history writer ──┘
#                 control plane, history writer ──5432 (TLS)──▶ RDS PostgreSQL (private subnets)
#
# Security groups open nothing else: the NATS client port only to the hub's own services, the
# leaf port only through the NLB from leaf_allowed_cidrs, the database only to the control plane
# and the history writer, metrics only to monitoring_cidrs.

locals {
  name           = "${var.deployment_name}-hub"
  leaf_port      = 7422
  api_port       = { control_plane = 8080, ingest = 8081 }
  router_admin   = 9092
  history_admin  = 9093
  tags           = merge(var.tags, { EdgehookDeployment = var.deployment_name })
  default_region = coalesce(var.default_region, var.regions[0])

  # What every hub service reads: JSON logs for the log pipeline ...
  service_environment = {
    EDGEHOOK_LOG_FORMAT = "json"
  }
  # ... and where NATS is, with the login of the `edgehook` user (nats/conf/hub.conf) in every
  # server's URL: nats://edgehook:<password>@<server>:4222,... The password comes from the NATS
  # logins secret at each start, never from the user data.
  service_secret_environment = {
    EDGEHOOK_NATS_URL = {
      secret_arn = var.nats_logins_secret_arn
      json_key   = "EDGEHOOK_NATS_PASSWORD"
      format     = join(",", [for ip in module.nats.private_ips : "nats://edgehook:%s@${ip}:${module.nats.client_port}"])
    }
  }
  # The key webhook signing secrets and source secrets are sealed with before they reach the KV
  # buckets (mirrored to every region): the control plane seals, ingest opens; every region's
  # relays have the same key from their own copy of the secret. The router never sees a secret.
  secrets_key_environment = {
    EDGEHOOK_SECRETS_KEY = { secret_arn = var.secrets_key_secret_arn }
  }
}

# --- NATS ----------------------------------------------------------------------------------

module "nats" {
  source = "../nats-cluster"

  deployment_name    = var.deployment_name
  cluster_name       = local.name
  server_name_prefix = "hub"
  # The repository's hub configuration, unchanged: JetStream domain `hub`, the leaf listener.
  base_config = file("${path.module}/../../../nats/conf/hub.conf")
  # ... with the leaf listener restated with mutual TLS.
  config_includes = {
    "leafnodes-tls.conf" = file("${path.module}/conf/leafnodes-tls.conf")
  }
  environment = {
    EDGEHOOK_NATS_LEAF_PORT = tostring(local.leaf_port)
  }
  # The logins hub.conf requires, from the NATS logins secret (JSON, keys as `edgehook
  # nats-keys` prints them): the services' password, the auth callout's issuer (an account
  # public key), the regions' leaf password.
  secret_environment = {
    EDGEHOOK_NATS_PASSWORD      = { secret_arn = var.nats_logins_secret_arn, json_key = "EDGEHOOK_NATS_PASSWORD" }
    EDGEHOOK_NATS_AUTH_ISSUER   = { secret_arn = var.nats_logins_secret_arn, json_key = "EDGEHOOK_NATS_AUTH_ISSUER" }
    EDGEHOOK_NATS_LEAF_PASSWORD = { secret_arn = var.nats_logins_secret_arn, json_key = "EDGEHOOK_NATS_LEAF_PASSWORD" }
  }

  vpc_id                       = var.vpc_id
  subnet_ids                   = var.private_subnet_ids
  instance_type                = var.nats_instance_type
  architecture                 = var.architecture
  data_volume_size_gib         = var.nats_data_volume_size_gib
  data_volume_iops             = var.nats_data_volume_iops
  data_volume_throughput_mibps = var.nats_data_volume_throughput_mibps
  client_security_group_ids = [
    module.control_plane.security_group_id,
    module.ingest.security_group_id,
    module.router.security_group_id,
    module.history_writer.security_group_id,
  ]
  monitoring_cidrs = var.monitoring_cidrs
  tls_secret_arn   = var.nats_tls_secret_arn
  artifacts_s3_uri = var.artifacts_s3_uri
  tags             = var.tags
}

# --- Services ------------------------------------------------------------------------------

module "control_plane" {
  source = "../edgehook-service"

  deployment_name = var.deployment_name
  name            = "${local.name}-control-plane"
  service         = "control-plane"
  environment = merge(local.service_environment, {
    EDGEHOOK_CONTROL_PLANE_ADDR = "0.0.0.0:${local.api_port.control_plane}"
    EDGEHOOK_REGIONS            = join(",", var.regions)
    EDGEHOOK_DEFAULT_REGION     = local.default_region
    # Consumer portal links point at the public name; these origins may frame the portal.
    EDGEHOOK_PUBLIC_URL             = "https://${var.api_hostname}"
    EDGEHOOK_PORTAL_FRAME_ANCESTORS = join(",", var.portal_frame_ancestors)
  })
  # The control plane reads delivery history from the history database (history.tf).
  secret_environment = merge(local.service_secret_environment, local.secrets_key_environment, local.history_secret_environment, {
    EDGEHOOK_JWT_SECRET = { secret_arn = var.jwt_secret_arn }
  })

  vpc_id        = var.vpc_id
  subnet_ids    = var.private_subnet_ids
  instance_type = var.control_plane_instance_type
  architecture  = var.architecture
  min_size      = var.control_plane_instances
  max_size      = var.control_plane_instances
  service_ports = [local.api_port.control_plane]
  load_balancer = {
    target_group_arn  = aws_lb_target_group.control_plane.arn
    security_group_id = aws_security_group.api_load_balancer.id
    port              = local.api_port.control_plane
  }
  monitoring_cidrs = var.monitoring_cidrs
  artifacts_s3_uri = var.artifacts_s3_uri
  tags             = var.tags
}

module "ingest" {
  source = "../edgehook-service"

  deployment_name = var.deployment_name
  name            = "${local.name}-ingest"
  service         = "ingest"
  environment = merge(local.service_environment, {
    EDGEHOOK_INGEST_ADDR = "0.0.0.0:${local.api_port.ingest}"
  })
  # Ingest answers the hub's auth callout (sources log in to NATS with their API key), signing
  # with the account seed whose public key is the servers' EDGEHOOK_NATS_AUTH_ISSUER.
  secret_environment = merge(local.service_secret_environment, local.secrets_key_environment, {
    EDGEHOOK_NATS_AUTH_SEED = { secret_arn = var.nats_logins_secret_arn, json_key = "EDGEHOOK_NATS_AUTH_SEED" }
  })

  vpc_id        = var.vpc_id
  subnet_ids    = var.private_subnet_ids
  instance_type = var.ingest_instance_type
  architecture  = var.architecture
  min_size      = var.ingest_min_instances
  max_size      = var.ingest_max_instances
  service_ports = [local.api_port.ingest]
  load_balancer = {
    target_group_arn  = aws_lb_target_group.ingest.arn
    security_group_id = aws_security_group.api_load_balancer.id
    port              = local.api_port.ingest
  }
  monitoring_cidrs = var.monitoring_cidrs
  artifacts_s3_uri = var.artifacts_s3_uri
  tags             = var.tags
}

module "router" {
  source = "../edgehook-service"

  deployment_name = var.deployment_name
  name            = "${local.name}-router"
  service         = "router"
  environment = merge(local.service_environment, {
    EDGEHOOK_ADMIN_ADDR = "0.0.0.0:${local.router_admin}"
  })
  secret_environment = local.service_secret_environment

  vpc_id           = var.vpc_id
  subnet_ids       = var.private_subnet_ids
  instance_type    = var.router_instance_type
  architecture     = var.architecture
  min_size         = var.router_min_instances
  max_size         = var.router_max_instances
  service_ports    = [local.router_admin]
  monitoring_cidrs = var.monitoring_cidrs
  artifacts_s3_uri = var.artifacts_s3_uri
  tags             = var.tags
}

# Ingest and the router spend their CPU per event (HMAC, JSON, filter matching), so CPU follows
# the event rate; JetStream's acknowledgements, not these instances, bound the latency.
resource "aws_autoscaling_policy" "cpu" {
  for_each = {
    ingest = module.ingest.autoscaling_group_name
    router = module.router.autoscaling_group_name
  }

  name                   = "${local.name}-${each.key}-cpu"
  autoscaling_group_name = each.value
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = var.target_cpu_percent
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
  }
}

# --- API load balancer (HTTPS) -------------------------------------------------------------

resource "aws_security_group" "api_load_balancer" {
  name_prefix = "${local.name}-api-lb-"
  description = "edgehook API load balancer"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${local.name}-api-lb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "api_https" {
  count = length(var.api_allowed_cidrs)

  security_group_id = aws_security_group.api_load_balancer.id
  description       = "HTTPS to the APIs"
  cidr_ipv4         = var.api_allowed_cidrs[count.index]
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "api_to_services" {
  for_each = {
    control_plane = { port = local.api_port.control_plane, security_group_id = module.control_plane.security_group_id }
    ingest        = { port = local.api_port.ingest, security_group_id = module.ingest.security_group_id }
  }

  security_group_id            = aws_security_group.api_load_balancer.id
  description                  = "To ${each.key}"
  referenced_security_group_id = each.value.security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_lb" "api" {
  name                       = "${var.deployment_name}-api"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [aws_security_group.api_load_balancer.id]
  drop_invalid_header_fields = true
  tags                       = local.tags
}

resource "aws_lb_target_group" "control_plane" {
  name_prefix          = "cp-"
  port                 = local.api_port.control_plane
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  deregistration_delay = 30
  tags                 = local.tags

  health_check {
    path                = "/healthz"
    matcher             = "200"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_target_group" "ingest" {
  name_prefix          = "in-"
  port                 = local.api_port.ingest
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  deregistration_delay = 30
  tags                 = local.tags

  health_check {
    path                = "/healthz"
    matcher             = "200"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.api_certificate_arn

  # Everything not ingest is the control plane's API.
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.control_plane.arn
  }
}

# The control plane also serves /api/v1/events/{event_id}/deliveries, so ingest gets exactly
# its two paths rather than a prefix.
resource "aws_lb_listener_rule" "ingest" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 10

  condition {
    path_pattern {
      values = ["/api/v1/events/ingest", "/api/v1/events/batch"]
    }
  }

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.ingest.arn
  }
}

# Metrics are for Prometheus inside the network, not for the internet (the services serve them
# beside their APIs).
resource "aws_lb_listener_rule" "hide_operator_endpoints" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 1

  condition {
    path_pattern {
      values = ["/metrics", "/readyz"]
    }
  }

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "application/json"
      status_code  = "404"
      message_body = jsonencode({ error = { code = "not_found", message = "not found", field = null } })
    }
  }
}

# --- Leaf node listener (TLS, through a network load balancer) ------------------------------

# The NLB passes TCP through: nats-server itself terminates TLS and checks the region's client
# certificate (NATS negotiates TLS inside its own protocol, which a TLS listener would break).
resource "aws_security_group" "leaf_load_balancer" {
  name_prefix = "${local.name}-leaf-lb-"
  description = "edgehook hub leaf node load balancer"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${local.name}-leaf-lb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "leaf_from_regions" {
  count = length(var.leaf_allowed_cidrs)

  security_group_id = aws_security_group.leaf_load_balancer.id
  description       = "Leaf node connections from edgehook regions"
  cidr_ipv4         = var.leaf_allowed_cidrs[count.index]
  ip_protocol       = "tcp"
  from_port         = local.leaf_port
  to_port           = local.leaf_port
}

resource "aws_vpc_security_group_egress_rule" "leaf_load_balancer_to_nats" {
  for_each = {
    leaf_connections = local.leaf_port
    health_checks    = module.nats.monitor_port
  }

  security_group_id            = aws_security_group.leaf_load_balancer.id
  description                  = "To the NATS servers: ${each.key}"
  referenced_security_group_id = module.nats.security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

resource "aws_vpc_security_group_ingress_rule" "nats_from_leaf_load_balancer" {
  for_each = {
    leaf_connections = local.leaf_port
    health_checks    = module.nats.monitor_port
  }

  security_group_id            = module.nats.security_group_id
  description                  = "From the leaf load balancer: ${each.key}"
  referenced_security_group_id = aws_security_group.leaf_load_balancer.id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
}

resource "aws_lb" "leaf" {
  name                             = "${var.deployment_name}-leaf"
  load_balancer_type               = "network"
  internal                         = var.leaf_load_balancer_internal
  subnets                          = var.leaf_load_balancer_internal ? var.private_subnet_ids : var.public_subnet_ids
  security_groups                  = [aws_security_group.leaf_load_balancer.id]
  enable_cross_zone_load_balancing = true
  tags                             = local.tags
}

resource "aws_lb_target_group" "leaf" {
  name_prefix = "leaf-"
  port        = local.leaf_port
  protocol    = "TCP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  tags        = local.tags

  # A server is a good leaf target once its JetStream is current (/healthz answers 200).
  health_check {
    protocol = "HTTP"
    port     = tostring(module.nats.monitor_port)
    path     = "/healthz"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_target_group_attachment" "leaf" {
  count = length(module.nats.private_ips)

  target_group_arn = aws_lb_target_group.leaf.arn
  target_id        = module.nats.private_ips[count.index]
  port             = local.leaf_port
}

resource "aws_lb_listener" "leaf" {
  load_balancer_arn = aws_lb.leaf.arn
  port              = local.leaf_port
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.leaf.arn
  }
}

# --- Names ---------------------------------------------------------------------------------

resource "aws_route53_record" "api" {
  zone_id = var.route53_zone_id
  name    = var.api_hostname
  type    = "A"

  alias {
    name                   = aws_lb.api.dns_name
    zone_id                = aws_lb.api.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "leaf" {
  zone_id = var.route53_zone_id
  name    = var.leaf_hostname
  type    = "A"

  alias {
    name                   = aws_lb.leaf.dns_name
    zone_id                = aws_lb.leaf.zone_id
    evaluate_target_health = true
  }
}

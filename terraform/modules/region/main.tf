# One edgehook region: a NATS cluster that is a leaf node of the hub with its own JetStream
# domain (the region's name), the relays that deliver its webhooks, and the Redis the relays
# share per-endpoint rate limits through.
#
#   hub NLB ◀──7422 (mTLS)── NATS <name>-1..3 ◀──4222── relays (ASG, scaled on backlog) ──HTTPS──▶ endpoints
#                             (6222 between them)          └──6379 (TLS)──▶ Redis (primary + replica)
#
# The region keeps delivering and retrying what it holds while its link to the hub is down:
# its deliveries stream, consumer and webhook mirror live in its own domain.

locals {
  name        = "${var.deployment_name}-${var.name}"
  relay_admin = 9091
  tags        = merge(var.tags, { EdgehookDeployment = var.deployment_name, EdgehookRegion = var.name })

  # Where the relays' backlog comes from (nats/src/region.rs: the region's deliveries stream and
  # its consumer) and where it goes (CloudWatch), for the agent and the scaling policy alike.
  backlog = {
    stream      = "DLV_${var.name}"
    consumer    = "dispatch"
    namespace   = "Edgehook"
    metric_name = "DispatchBacklog"
  }
}

data "aws_region" "current" {}

# --- NATS ----------------------------------------------------------------------------------

module "nats" {
  source = "../nats-cluster"

  deployment_name    = var.deployment_name
  cluster_name       = local.name
  server_name_prefix = var.name
  # The repository's region configuration, unchanged: a leaf node of the hub, JetStream domain
  # named after the region.
  base_config = file("${path.module}/../../../nats/conf/region.conf")
  # ... with the link to the hub restated with mutual TLS.
  config_includes = {
    "leafnodes-tls.conf" = file("${path.module}/conf/leafnodes-tls.conf")
  }
  environment = {
    EDGEHOOK_REGION = var.name
  }
  # The hub's leaf listener with the `region` login of nats/conf/hub.conf in it:
  # nats-leaf://region:<password>@<hub_leaf_url's host:port>, the password read from Secrets
  # Manager at each start, never from the user data.
  secret_environment = {
    EDGEHOOK_HUB_LEAF_URL = {
      secret_arn = var.hub_leaf_password_secret_arn
      format     = "nats-leaf://region:%s@${trimprefix(var.hub_leaf_url, "nats-leaf://")}"
    }
  }

  vpc_id                       = var.vpc_id
  subnet_ids                   = var.private_subnet_ids
  instance_type                = var.nats_instance_type
  architecture                 = var.architecture
  data_volume_size_gib         = var.nats_data_volume_size_gib
  data_volume_iops             = var.nats_data_volume_iops
  data_volume_throughput_mibps = var.nats_data_volume_throughput_mibps
  client_security_group_ids    = [module.relays.security_group_id]
  monitoring_cidrs             = var.monitoring_cidrs
  tls_secret_arn               = var.nats_tls_secret_arn
  artifacts_s3_uri             = var.artifacts_s3_uri
  tags                         = local.tags
}

# --- Relays --------------------------------------------------------------------------------

data "aws_iam_policy_document" "publish_backlog" {
  statement {
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource-level permissions; the condition narrows it.
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [local.backlog.namespace]
    }
  }
}

module "relays" {
  source = "../edgehook-service"

  deployment_name = var.deployment_name
  name            = "${local.name}-relay"
  service         = "relay"
  environment = {
    EDGEHOOK_NATS_URL          = module.nats.client_url
    EDGEHOOK_REGION            = var.name
    EDGEHOOK_ADMIN_ADDR        = "0.0.0.0:${local.relay_admin}"
    EDGEHOOK_RELAY_CONCURRENCY = tostring(var.relay_concurrency)
    EDGEHOOK_REDIS_URL         = "rediss://${aws_elasticache_replication_group.rate_limits.primary_endpoint_address}:${aws_elasticache_replication_group.rate_limits.port}"
    EDGEHOOK_LOG_FORMAT        = "json"
  }
  # The Redis AUTH token, and the key the webhooks' signing secrets are sealed with in the KV
  # buckets (the hub's control plane seals them; this region's copy of the same key opens them).
  secret_environment = {
    EDGEHOOK_REDIS_PASSWORD = { secret_arn = var.redis_auth_token_secret_arn }
    EDGEHOOK_SECRETS_KEY    = { secret_arn = var.secrets_key_secret_arn }
  }

  vpc_id        = var.vpc_id
  subnet_ids    = var.private_subnet_ids
  instance_type = var.relay_instance_type
  architecture  = var.architecture
  min_size      = var.relay_min_instances
  max_size      = var.relay_max_instances
  service_ports = [local.relay_admin]
  # A relay stopping finishes its in-flight attempts (up to the 20 s maximum timeout); what it
  # could not finish is redelivered by JetStream after ack_wait.
  stop_timeout_seconds = 30

  extra_files = [
    {
      path        = "/usr/local/sbin/edgehook-publish-backlog"
      permissions = "0755"
      content = templatefile("${path.module}/templates/publish-backlog.sh.tftpl", {
        aws_region      = data.aws_region.current.region
        deployment_name = var.deployment_name
        region          = var.name
        admin_port      = local.relay_admin
        stream          = local.backlog.stream
        consumer        = local.backlog.consumer
        namespace       = local.backlog.namespace
        metric_name     = local.backlog.metric_name
      })
    },
    {
      path        = "/etc/systemd/system/edgehook-backlog.service"
      permissions = "0644"
      content     = file("${path.module}/files/edgehook-backlog.service")
    },
    {
      path        = "/etc/systemd/system/edgehook-backlog.timer"
      permissions = "0644"
      content     = file("${path.module}/files/edgehook-backlog.timer")
    },
  ]
  extra_boot_commands   = ["systemctl daemon-reload", "systemctl enable --now edgehook-backlog.timer"]
  extra_iam_policy_json = data.aws_iam_policy_document.publish_backlog.json

  monitoring_cidrs = var.monitoring_cidrs
  artifacts_s3_uri = var.artifacts_s3_uri
  tags             = local.tags
}

# Scale on backlog per relay: the deliveries waiting in the region's dispatch consumer divided by
# the relays in service. CPU says little about a relay, whose time goes into waiting on remote
# endpoints; a growing backlog says deliveries are arriving faster than the relays send them.
resource "aws_autoscaling_policy" "relay_backlog" {
  name                   = "${local.name}-relay-backlog"
  autoscaling_group_name = module.relays.autoscaling_group_name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = var.relay_target_backlog_per_instance

    customized_metric_specification {
      metrics {
        id          = "backlog"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = local.backlog.namespace
            metric_name = local.backlog.metric_name
            dimensions {
              name  = "Deployment"
              value = var.deployment_name
            }
            dimensions {
              name  = "Region"
              value = var.name
            }
          }
        }
      }

      metrics {
        id          = "relays"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "AWS/AutoScaling"
            metric_name = "GroupInServiceInstances"
            dimensions {
              name  = "AutoScalingGroupName"
              value = module.relays.autoscaling_group_name
            }
          }
        }
      }

      metrics {
        id          = "backlog_per_relay"
        label       = "Deliveries waiting per relay"
        expression  = "backlog / relays"
        return_data = true
      }
    }
  }
}

# --- Redis (shared rate limits) ------------------------------------------------------------

# Every relay of the region counts each endpoint's requests in the same Redis, so an endpoint's
# rate limit holds however many relays run. A replica in another zone takes over on failure.
resource "aws_security_group" "redis" {
  name_prefix = "${local.name}-redis-"
  description = "edgehook ${var.name} rate limit store"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${local.name}-redis" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_relays" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Relays"
  referenced_security_group_id = module.relays.security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_elasticache_subnet_group" "rate_limits" {
  name       = "${local.name}-rate-limits"
  subnet_ids = var.private_subnet_ids
  tags       = local.tags
}

# ElastiCache takes the AUTH token as a plain argument, so Terraform reads it from Secrets
# Manager here and it ends up in the Terraform state: keep the state encrypted (an S3 backend
# with encryption) and readable only by those who may read the secret. The relays read the same
# secret themselves at start.
data "aws_secretsmanager_secret_version" "redis_auth_token" {
  secret_id = var.redis_auth_token_secret_arn
}

resource "aws_elasticache_replication_group" "rate_limits" {
  replication_group_id       = "${local.name}-rl"
  description                = "edgehook ${var.name}: per-endpoint rate limits shared by the relays"
  engine                     = "redis"
  engine_version             = "7.1"
  parameter_group_name       = "default.redis7"
  node_type                  = var.redis_node_type
  port                       = 6379
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.rate_limits.name
  security_group_ids         = [aws_security_group.redis.id]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  auth_token                 = data.aws_secretsmanager_secret_version.redis_auth_token.secret_string
  apply_immediately          = false
  tags                       = local.tags

  lifecycle {
    precondition {
      condition     = length("${local.name}-rl") <= 40
      error_message = "deployment_name and the region name together are too long for an ElastiCache replication group id (40 characters)."
    }
  }
}

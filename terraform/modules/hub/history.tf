# The delivery history: the history writer (`edgehook history`) moves the attempt records of the
# hub's ATTEMPTS stream into a PostgreSQL database, which the control plane reads
# `GET …/deliveries` and `…/stats` from.
#
# Why RDS for PostgreSQL: the history store is plain PostgreSQL (daily range partitions, dropped
# whole by retention; migrations run by edgehook), so a managed instance needs no extension, and
# Multi-AZ gives a standby that takes over without the writer losing anything (it acknowledges
# records only after they are committed; JetStream keeps them meanwhile).
#
# Why the URL is a secret of its own: edgehook takes the database as one URL with the password in
# it (EDGEHOOK_HISTORY_URL). Terraform writes it to Secrets Manager once, as a write-only value,
# and the services read it by ARN at each start (secret_environment), so the password is in no
# variable, output, user data or Terraform state: the password is an ephemeral value made by
# Secrets Manager, given to RDS and to the secret through write-only arguments. To change it,
# raise history_database_password_version and apply (then restart the writer and the control
# plane by an instance refresh).
#
# Reachable only from the writer and the control plane: private subnets, no public address, a
# security group open on 5432 to those two alone. Storage (and so backups and snapshots) is
# encrypted; edgehook connects with TLS (sslmode=require; RDS for PostgreSQL 15+ refuses
# unencrypted connections).

locals {
  history_port     = 5432
  history_database = "edgehook"
  history_user     = "edgehook"
  # Both the writer and the control plane: EDGEHOOK_HISTORY_URL from the secret's ARN (the
  # version's, so a service is never started before the URL is stored).
  history_secret_environment = {
    EDGEHOOK_HISTORY_URL = { secret_arn = aws_secretsmanager_secret_version.history_url.arn }
  }
}

ephemeral "aws_secretsmanager_random_password" "history" {
  password_length = 40
  # Letters and digits only: the password sits in a URL unescaped.
  exclude_punctuation = true
}

resource "aws_security_group" "history_database" {
  name_prefix = "${local.name}-history-db-"
  description = "edgehook history database: PostgreSQL from the history writer and the control plane"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${local.name}-history-db" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "history_database" {
  for_each = {
    history_writer = module.history_writer.security_group_id
    control_plane  = module.control_plane.security_group_id
  }

  security_group_id            = aws_security_group.history_database.id
  description                  = "PostgreSQL from the ${each.key}"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = local.history_port
  to_port                      = local.history_port
}

# The services' security groups allow every egress (modules/edgehook-service), so only the
# database's side is opened here.

resource "aws_db_subnet_group" "history" {
  name_prefix = "${local.name}-history-"
  description = "edgehook history database: the hub's private subnets"
  subnet_ids  = var.private_subnet_ids
  tags        = local.tags
}

resource "aws_db_parameter_group" "history" {
  name_prefix = "${local.name}-history-"
  family      = "postgres${split(".", var.history_database_engine_version)[0]}"
  description = "edgehook history database"
  tags        = local.tags

  # TLS only, whatever the engine's default.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "history" {
  identifier_prefix = "${local.name}-history-"
  engine            = "postgres"
  engine_version    = var.history_database_engine_version
  instance_class    = var.history_database_instance_class
  multi_az          = true
  db_name           = local.history_database
  username          = local.history_user
  port              = local.history_port

  password_wo         = ephemeral.aws_secretsmanager_random_password.history.random_password
  password_wo_version = var.history_database_password_version

  storage_type          = "gp3"
  allocated_storage     = var.history_database_storage_gib
  max_allocated_storage = var.history_database_max_storage_gib
  storage_encrypted     = true
  kms_key_id            = var.history_database_kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.history.name
  vpc_security_group_ids = [aws_security_group.history_database.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.history.name

  backup_retention_period   = var.history_database_backup_retention_days
  copy_tags_to_snapshot     = true
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.name}-history-final"

  auto_minor_version_upgrade      = true
  performance_insights_enabled    = true
  performance_insights_kms_key_id = var.history_database_kms_key_arn
  enabled_cloudwatch_logs_exports = ["postgresql"]
  tags                            = local.tags
}

resource "aws_secretsmanager_secret" "history_url" {
  name_prefix = "${local.name}/history-url-"
  description = "EDGEHOOK_HISTORY_URL of the history writer and the control plane: the history database with its password."
  kms_key_id  = var.history_database_kms_key_arn
  tags        = local.tags
}

resource "aws_secretsmanager_secret_version" "history_url" {
  secret_id                = aws_secretsmanager_secret.history_url.id
  secret_string_wo         = "postgres://${local.history_user}:${ephemeral.aws_secretsmanager_random_password.history.random_password}@${aws_db_instance.history.address}:${local.history_port}/${local.history_database}?sslmode=require"
  secret_string_wo_version = var.history_database_password_version
}

# --- The history writer --------------------------------------------------------------------

# Stateless: several writers share the `history-writer` consumer, each writing its own batches.
# One stored ~43,000 records/s into PostgreSQL on a 2-core test machine, about twice the average
# of 1 billion events a day; two keep the history moving while one is replaced. Their lag is
# `edgehook status`'s HISTORY WRITER line and the EdgehookHistoryWriterBehind alert.
module "history_writer" {
  source = "../edgehook-service"

  deployment_name = var.deployment_name
  name            = "${local.name}-history"
  service         = "history"
  environment = merge(local.service_environment, {
    EDGEHOOK_ADMIN_ADDR             = "0.0.0.0:${local.history_admin}"
    EDGEHOOK_HISTORY_RETENTION_DAYS = tostring(var.history_retention_days)
  })
  secret_environment = merge(local.service_secret_environment, local.history_secret_environment)

  vpc_id           = var.vpc_id
  subnet_ids       = var.private_subnet_ids
  instance_type    = var.history_writer_instance_type
  architecture     = var.architecture
  min_size         = var.history_writer_instances
  max_size         = var.history_writer_instances
  service_ports    = [local.history_admin]
  monitoring_cidrs = var.monitoring_cidrs
  artifacts_s3_uri = var.artifacts_s3_uri
  tags             = var.tags
}

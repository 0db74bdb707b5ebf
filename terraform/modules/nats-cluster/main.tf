# A NATS cluster with JetStream: the hub's, or one region's (the caller brings the repository's
# configuration for either). Every server runs the repository's nats/conf file unchanged, plus
# cluster.conf (routes, unique server names, monitoring) and the caller's includes (leaf node
# TLS), all reading their values from the environment as the repository's files do.
#
# Why fixed instances and not an autoscaling group: a JetStream server is not interchangeable.
# It has a name its peers know, an address in their route lists, and a replica of every stream
# on disk. So each server here is three resources that outlive any EC2 instance:
#   - a network interface: its address is in every peer's `routes` (and in the hub's leaf load
#     balancer), and stays the same when the instance is replaced;
#   - an EBS volume with its JetStream store: a replaced server comes back with its data and
#     only catches up on what it missed, instead of copying every stream from its peers;
#   - its name (<prefix>-<n>), in the environment file of its user data.
# An ASG of 3 would have to re-attach the right interface and volume to each new instance from
# user data (lifecycle hooks, API calls, races between two replacements), to get back to this.
# A failed host is handled by EC2 automatic recovery, which keeps instance, interface and
# volume. Replacing a server on purpose (new AMI, new configuration) is done one at a time:
#   terraform apply -replace='module.hub.module.nats.aws_instance.server[0]'
# then wait for http://<its address>:8222/healthz to answer 200 before the next one (README).

locals {
  client_port  = 4222
  cluster_port = 6222
  monitor_port = 8222

  # The JetStream volume is mounted here; the store is a directory on it.
  data_mount = "/var/lib/nats"
  store_dir  = "/var/lib/nats/jetstream"
  # TLS material and secret_environment are fetched from Secrets Manager at each start into
  # memory (/run): the private key and passwords never reach a disk, an AMI or the user data.
  tls_dir      = "/run/nats/tls"
  secrets_file = "/run/nats/secrets.env"

  servers = [for i in range(var.cluster_size) : {
    name      = "${var.server_name_prefix}-${i + 1}"
    subnet_id = var.subnet_ids[i % length(var.subnet_ids)]
  }]

  route_urls = [for eni in aws_network_interface.server : "nats-route://${eni.private_ip}:${local.cluster_port}"]

  tags = merge(var.tags, {
    EdgehookDeployment = var.deployment_name
    EdgehookRole       = "nats"
  })
}

data "aws_region" "current" {}

data "aws_subnet" "server" {
  count = var.cluster_size
  id    = local.servers[count.index].subnet_id
}

data "aws_ssm_parameter" "amazon_linux" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.architecture}"
}

module "role" {
  source = "../instance-role"

  name             = "${var.cluster_name}-nats"
  artifacts_s3_uri = var.artifacts_s3_uri
  secret_arns      = distinct(concat([var.tls_secret_arn], [for secret in values(var.secret_environment) : secret.secret_arn]))
  tags             = local.tags
}

# --- Network -------------------------------------------------------------------------------

resource "aws_security_group" "servers" {
  name_prefix = "${var.cluster_name}-nats-"
  description = "NATS servers of ${var.cluster_name}"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.cluster_name}-nats" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "routes" {
  security_group_id            = aws_security_group.servers.id
  description                  = "Cluster routes, between the servers only"
  referenced_security_group_id = aws_security_group.servers.id
  ip_protocol                  = "tcp"
  from_port                    = local.cluster_port
  to_port                      = local.cluster_port
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  count = length(var.client_security_group_ids)

  security_group_id            = aws_security_group.servers.id
  description                  = "NATS clients (edgehook services)"
  referenced_security_group_id = var.client_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = local.client_port
  to_port                      = local.client_port
}

resource "aws_vpc_security_group_ingress_rule" "monitoring" {
  count = length(var.monitoring_cidrs)

  security_group_id = aws_security_group.servers.id
  description       = "NATS monitoring"
  cidr_ipv4         = var.monitoring_cidrs[count.index]
  ip_protocol       = "tcp"
  from_port         = local.monitor_port
  to_port           = local.monitor_port
}

# Outbound: peers, the hub's leaf listener (regions), and S3, Secrets Manager and SSM.
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.servers.id
  description       = "Peers, hub leaf listener, AWS APIs"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_network_interface" "server" {
  count = var.cluster_size

  subnet_id       = local.servers[count.index].subnet_id
  security_groups = [aws_security_group.servers.id]
  description     = "NATS server ${local.servers[count.index].name} of ${var.cluster_name}"
  tags            = merge(local.tags, { Name = "${var.cluster_name}-${local.servers[count.index].name}" })
}

# --- Storage -------------------------------------------------------------------------------

resource "aws_ebs_volume" "jetstream" {
  count = var.cluster_size

  availability_zone = data.aws_subnet.server[count.index].availability_zone
  type              = "gp3"
  size              = var.data_volume_size_gib
  iops              = var.data_volume_iops
  throughput        = var.data_volume_throughput_mibps
  encrypted         = true
  tags              = merge(local.tags, { Name = "${var.cluster_name}-${local.servers[count.index].name}-jetstream" })

  # Every accepted event lives here. Remove this line on purpose to destroy a deployment.
  lifecycle {
    prevent_destroy = true
  }
}

# --- Servers -------------------------------------------------------------------------------

locals {
  base_config_file = "edgehook.conf"
  include_files    = concat(["cluster.conf"], sort(keys(var.config_includes)))

  nats_conf = join("\n", concat(
    [
      "# Written by terraform/modules/nats-cluster: the repository's configuration unchanged,",
      "# then the production additions; each file says what it sets.",
      "include ./${local.base_config_file}",
    ],
    [for file_name in local.include_files : "include ./${file_name}"],
    [""],
  ))

  # What every server's configuration reads, beside the caller's variables.
  server_environment = [for i, server in local.servers : merge(var.environment, {
    EDGEHOOK_NATS_HOST           = "0.0.0.0"
    EDGEHOOK_NATS_PORT           = tostring(local.client_port)
    EDGEHOOK_NATS_STORE_DIR      = local.store_dir
    EDGEHOOK_NATS_SERVER_NAME    = server.name
    EDGEHOOK_NATS_CLUSTER_NAME   = var.cluster_name
    EDGEHOOK_NATS_CLUSTER_PORT   = tostring(local.cluster_port)
    EDGEHOOK_NATS_CLUSTER_ROUTES = "[${join(", ", local.route_urls)}]"
    EDGEHOOK_NATS_MONITOR_PORT   = tostring(local.monitor_port)
    EDGEHOOK_NATS_TLS_CERT_FILE  = "${local.tls_dir}/cert.pem"
    EDGEHOOK_NATS_TLS_KEY_FILE   = "${local.tls_dir}/key.pem"
    EDGEHOOK_NATS_TLS_CA_FILE    = "${local.tls_dir}/ca.pem"
  })]

  cloud_config = [for i, server in local.servers : join("\n", ["#cloud-config", yamlencode({
    write_files = concat(
      [
        { path = "/etc/nats/${local.base_config_file}", permissions = "0644", content = var.base_config },
        { path = "/etc/nats/cluster.conf", permissions = "0644", content = file("${path.module}/conf/cluster.conf") },
      ],
      [for file_name, content in var.config_includes : { path = "/etc/nats/${file_name}", permissions = "0644", content = content }],
      [
        { path = "/etc/nats/nats.conf", permissions = "0644", content = local.nats_conf },
        {
          path        = "/etc/nats/nats.env"
          permissions = "0644"
          content     = join("", [for key, value in local.server_environment[i] : "${key}=\"${value}\"\n"])
        },
        {
          path        = "/etc/systemd/system/nats-server.service"
          permissions = "0644"
          content     = file("${path.module}/templates/nats-server.service")
        },
        {
          path        = "/usr/local/sbin/edgehook-nats-fetch-tls"
          permissions = "0755"
          content = templatefile("${path.module}/templates/fetch-tls.sh.tftpl", {
            aws_region     = data.aws_region.current.region
            tls_secret_arn = var.tls_secret_arn
            tls_dir        = local.tls_dir
          })
        },
        {
          path        = "/usr/local/sbin/edgehook-nats-fetch-secrets"
          permissions = "0755"
          # The same script as the edgehook services' (modules/edgehook-service).
          content = templatefile("${path.module}/../edgehook-service/templates/fetch-secrets.sh.tftpl", {
            aws_region         = data.aws_region.current.region
            secret_environment = var.secret_environment
            secrets_file       = local.secrets_file
          })
        },
        {
          path        = "/usr/local/sbin/edgehook-nats-bootstrap"
          permissions = "0755"
          content = templatefile("${path.module}/templates/bootstrap.sh.tftpl", {
            artifacts_s3_uri = var.artifacts_s3_uri
            data_volume_id   = aws_ebs_volume.jetstream[i].id
            data_mount       = local.data_mount
            store_dir        = local.store_dir
          })
        },
      ],
    )
    runcmd = [["/usr/local/sbin/edgehook-nats-bootstrap"]]
  })])]
}

resource "aws_instance" "server" {
  count = var.cluster_size

  ami                  = data.aws_ssm_parameter.amazon_linux.insecure_value
  instance_type        = var.instance_type
  iam_instance_profile = module.role.instance_profile_name
  user_data_base64     = base64gzip(local.cloud_config[count.index])
  monitoring           = true

  primary_network_interface {
    network_interface_id = aws_network_interface.server[count.index].id
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 20
    encrypted   = true
  }

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  # A failed host is replaced by EC2 itself, keeping the instance, its interface and volume.
  maintenance_options {
    auto_recovery = "default"
  }

  tags = merge(local.tags, { Name = "${var.cluster_name}-${local.servers[count.index].name}" })

  lifecycle {
    # A new AMI or configuration must not replace all servers at once (that would lose the
    # JetStream quorum): roll them one at a time with -replace, as the header explains.
    ignore_changes = [ami, user_data_base64]

    precondition {
      condition     = alltrue([for value in values(local.server_environment[count.index]) : !strcontains(value, "\"")])
      error_message = "NATS environment values may not contain double quotes (they are quoted in a systemd environment file)."
    }
  }
}

resource "aws_volume_attachment" "jetstream" {
  count = var.cluster_size

  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.jetstream[count.index].id
  instance_id = aws_instance.server[count.index].id
  # Stop nats-server cleanly (lame duck, then exit) before its store is pulled away.
  stop_instance_before_detaching = true
}

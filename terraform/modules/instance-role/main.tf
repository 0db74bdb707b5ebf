# The IAM identity of an edgehook EC2 instance (a NATS server or an edgehook service): what it
# needs at boot and nothing else. No SSH key anywhere: operators get a shell through SSM Session
# Manager, which the AWS-managed core policy allows.

data "aws_partition" "current" {}

locals {
  # s3://bucket/prefix -> arn:aws:s3:::bucket/prefix/*
  artifacts_objects_arn = "arn:${data.aws_partition.current.partition}:s3:::${trimprefix(var.artifacts_s3_uri, "s3://")}/*"
}

data "aws_iam_policy_document" "assume_by_ec2" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume_by_ec2.json
  tags               = var.tags
}

resource "aws_iam_instance_profile" "this" {
  name = var.name
  role = aws_iam_role.this.name
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "ssm_session_manager" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

# Binaries at boot, and secrets at each service start (they are never in user data or on disk).
data "aws_iam_policy_document" "boot" {
  statement {
    sid       = "DownloadBinaries"
    actions   = ["s3:GetObject"]
    resources = [local.artifacts_objects_arn]
  }

  dynamic "statement" {
    for_each = length(var.secret_arns) > 0 ? [1] : []
    content {
      sid       = "ReadOwnSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = var.secret_arns
    }
  }
}

resource "aws_iam_role_policy" "boot" {
  name   = "boot"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.boot.json
}

resource "aws_iam_role_policy" "extra" {
  count  = var.extra_policy_json == null ? 0 : 1
  name   = "extra"
  role   = aws_iam_role.this.id
  policy = var.extra_policy_json
}

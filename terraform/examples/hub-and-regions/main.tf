# An edgehook deployment: the hub in one AWS region, and the edgehook regions eu and us, each in
# its own AWS region and VPC. Regions reach the hub's leaf listener over the internet, through
# their NAT gateways, with mutual TLS; the hub admits only those NAT addresses.
#
# Why one provider and one module block per region instead of `for_each = var.regions`: an AWS
# provider configuration is bound to one AWS region, Terraform does not repeat provider blocks
# with for_each, and a module block's `providers` map is static (it cannot name a provider by
# each.key). So each AWS region gets a provider alias, and each edgehook region a module block
# using it. Adding a region is a provider, a network, a region module and a line in the hub's
# leaf_allowed_cidrs; see README.md.

provider "aws" {
  alias  = "hub"
  region = var.hub.aws_region
}

provider "aws" {
  alias  = "eu"
  region = var.regions["eu"].aws_region
}

provider "aws" {
  alias  = "us"
  region = var.regions["us"].aws_region
}

locals {
  # Each VPC: three private subnets (NATS, services, Redis) and three public ones (load balancers,
  # NAT gateways), one of each per availability zone.
  private_subnet_newbits = 4 # /16 -> /20
  public_subnet_newbits  = 8 # /16 -> /24, after the private ones
}

# --- Hub -----------------------------------------------------------------------------------

data "aws_availability_zones" "hub" {
  provider = aws.hub
  state    = "available"
}

module "hub_network" {
  source    = "terraform-aws-modules/vpc/aws"
  version   = "~> 6.0"
  providers = { aws = aws.hub }

  name                   = "${var.deployment_name}-hub"
  cidr                   = var.hub.cidr
  azs                    = slice(data.aws_availability_zones.hub.names, 0, 3)
  private_subnets        = [for i in range(3) : cidrsubnet(var.hub.cidr, local.private_subnet_newbits, i)]
  public_subnets         = [for i in range(3) : cidrsubnet(var.hub.cidr, local.public_subnet_newbits, 200 + i)]
  enable_nat_gateway     = true
  one_nat_gateway_per_az = true
  tags                   = var.tags
}

module "hub" {
  source    = "../../modules/hub"
  providers = { aws = aws.hub }

  deployment_name        = var.deployment_name
  regions                = sort(keys(var.regions))
  vpc_id                 = module.hub_network.vpc_id
  private_subnet_ids     = module.hub_network.private_subnets
  public_subnet_ids      = module.hub_network.public_subnets
  artifacts_s3_uri       = var.artifacts_s3_uri
  route53_zone_id        = var.hub.route53_zone_id
  api_hostname           = var.hub.api_hostname
  api_certificate_arn    = var.hub.api_certificate_arn
  leaf_hostname          = var.hub.leaf_hostname
  jwt_secret_arn         = var.hub.jwt_secret_arn
  secrets_key_secret_arn = var.hub.secrets_key_secret_arn
  nats_tls_secret_arn    = var.hub.nats_tls_secret_arn
  nats_logins_secret_arn = var.hub.nats_logins_secret_arn
  history_retention_days = var.hub.history_retention_days
  monitoring_cidrs       = var.monitoring_cidrs
  tags                   = var.tags
  # Regions connect from their NAT gateways' addresses.
  leaf_allowed_cidrs = [
    for address in concat(module.eu_network.nat_public_ips, module.us_network.nat_public_ips) : "${address}/32"
  ]
}

# --- Region eu -----------------------------------------------------------------------------

data "aws_availability_zones" "eu" {
  provider = aws.eu
  state    = "available"
}

module "eu_network" {
  source    = "terraform-aws-modules/vpc/aws"
  version   = "~> 6.0"
  providers = { aws = aws.eu }

  name                   = "${var.deployment_name}-eu"
  cidr                   = var.regions["eu"].cidr
  azs                    = slice(data.aws_availability_zones.eu.names, 0, 3)
  private_subnets        = [for i in range(3) : cidrsubnet(var.regions["eu"].cidr, local.private_subnet_newbits, i)]
  public_subnets         = [for i in range(3) : cidrsubnet(var.regions["eu"].cidr, local.public_subnet_newbits, 200 + i)]
  enable_nat_gateway     = true
  one_nat_gateway_per_az = true
  tags                   = var.tags
}

module "region_eu" {
  source    = "../../modules/region"
  providers = { aws = aws.eu }

  deployment_name              = var.deployment_name
  name                         = "eu"
  hub_leaf_url                 = module.hub.leaf_url
  vpc_id                       = module.eu_network.vpc_id
  private_subnet_ids           = module.eu_network.private_subnets
  artifacts_s3_uri             = var.artifacts_s3_uri
  nats_tls_secret_arn          = var.regions["eu"].nats_tls_secret_arn
  hub_leaf_password_secret_arn = var.regions["eu"].hub_leaf_password_secret_arn
  secrets_key_secret_arn       = var.regions["eu"].secrets_key_secret_arn
  redis_auth_token_secret_arn  = var.regions["eu"].redis_auth_token_secret_arn
  relay_max_instances          = var.regions["eu"].relay_max_instances
  monitoring_cidrs             = var.monitoring_cidrs
  tags                         = var.tags
}

# --- Region us -----------------------------------------------------------------------------

data "aws_availability_zones" "us" {
  provider = aws.us
  state    = "available"
}

module "us_network" {
  source    = "terraform-aws-modules/vpc/aws"
  version   = "~> 6.0"
  providers = { aws = aws.us }

  name                   = "${var.deployment_name}-us"
  cidr                   = var.regions["us"].cidr
  azs                    = slice(data.aws_availability_zones.us.names, 0, 3)
  private_subnets        = [for i in range(3) : cidrsubnet(var.regions["us"].cidr, local.private_subnet_newbits, i)]
  public_subnets         = [for i in range(3) : cidrsubnet(var.regions["us"].cidr, local.public_subnet_newbits, 200 + i)]
  enable_nat_gateway     = true
  one_nat_gateway_per_az = true
  tags                   = var.tags
}

module "region_us" {
  source    = "../../modules/region"
  providers = { aws = aws.us }

  deployment_name              = var.deployment_name
  name                         = "us"
  hub_leaf_url                 = module.hub.leaf_url
  vpc_id                       = module.us_network.vpc_id
  private_subnet_ids           = module.us_network.private_subnets
  artifacts_s3_uri             = var.artifacts_s3_uri
  nats_tls_secret_arn          = var.regions["us"].nats_tls_secret_arn
  hub_leaf_password_secret_arn = var.regions["us"].hub_leaf_password_secret_arn
  secrets_key_secret_arn       = var.regions["us"].secrets_key_secret_arn
  redis_auth_token_secret_arn  = var.regions["us"].redis_auth_token_secret_arn
  relay_max_instances          = var.regions["us"].relay_max_instances
  monitoring_cidrs             = var.monitoring_cidrs
  tags                         = var.tags
}

terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.10, < 7.0"
    }
  }

  # Keep the state in an encrypted S3 bucket: it holds each region's Redis AUTH token.
  # backend "s3" {
  #   bucket       = "my-terraform-state"
  #   key          = "edgehook/hub-and-regions.tfstate"
  #   region       = "us-east-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}

terraform {
  # 1.11: ephemeral values and write-only arguments keep the history database's password out of
  # the state (history.tf).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.10, < 7.0"
    }
  }
}

"""Verify one captured delivery with the Standard Webhooks reference library.

Usage: verify_standard_webhooks.py  (reads {"secret", "headers", "body"} as JSON on stdin)
Exits 0 when the signature verifies, 1 (with the library's reason) when it does not.
"""
import json
import sys

from standardwebhooks.webhooks import Webhook

capture = json.load(sys.stdin)
try:
    # The body may be a JWE rather than JSON: check the signature without parsing it.
    Webhook(capture["secret"]).verify(capture["body"], capture["headers"], json_parse=False)
except Exception as error:  # the library raises WebhookVerificationError and friends
    print(f"refused: {error!r}", file=sys.stderr)
    sys.exit(1)
print("verified")

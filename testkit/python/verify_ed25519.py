"""Verify a captured delivery's `v1a` (Ed25519) signature with the `cryptography` package.

Reads {"public_key": "whpk_...", "headers": {...}, "body": "..."} as JSON on stdin. The Standard
Webhooks reference libraries know only `v1`; a `v1a` client verifies with any Ed25519 library
over the same signed content: "{webhook-id}.{webhook-timestamp}.{body}".
Exits 0 when some v1a entry verifies, 1 otherwise.
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

capture = json.load(sys.stdin)
headers = {name.lower(): value for name, value in capture["headers"].items()}
key = Ed25519PublicKey.from_public_bytes(base64.b64decode(capture["public_key"].removeprefix("whpk_")))
content = f'{headers["webhook-id"]}.{headers["webhook-timestamp"]}.{capture["body"]}'.encode()

for entry in headers["webhook-signature"].split():
    version, _, signature = entry.partition(",")
    if version != "v1a":
        continue
    try:
        key.verify(base64.b64decode(signature), content)
        print("verified")
        sys.exit(0)
    except InvalidSignature:
        pass
print("no v1a signature verifies", file=sys.stderr)
sys.exit(1)

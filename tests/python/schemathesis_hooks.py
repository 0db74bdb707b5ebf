"""schemathesis hooks for tests/openapi.rs: sign ingest requests as a source does.

Ingest authenticates a body by its HMAC (`X-Source-Signature: sha256=<hex HMAC-SHA256(signing
secret, raw body)>`) and `X-Source-Timestamp`, which a fuzzer cannot derive from the document.
With EDGEHOOK_SOURCE_SECRET set, each request's body is serialized here, sent as those exact
bytes, and signed, so generated events get past authentication to the checks behind it; with
EDGEHOOK_CLIENT_ID set, events name that (existing) client, so some are accepted and delivered."""

import hashlib
import hmac
import json
import os
import time

import schemathesis

SECRET = os.environ.get("EDGEHOOK_SOURCE_SECRET")
CLIENT_ID = os.environ.get("EDGEHOOK_CLIENT_ID")


def for_our_client(body):
    events = body if isinstance(body, list) else [body]
    for event in events:
        if CLIENT_ID and isinstance(event, dict) and isinstance(event.get("client_id"), str):
            event["client_id"] = CLIENT_ID


@schemathesis.hook
def before_call(context, case, kwargs):
    if not SECRET or case.body is None or not isinstance(case.body, (dict, list, str, int, float, bool)):
        return
    for_our_client(case.body)
    body = json.dumps(case.body).encode()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    case.headers = {
        **(case.headers or {}),
        "X-Source-Timestamp": str(int(time.time())),
        "X-Source-Signature": f"sha256={digest}",
    }
    kwargs["data"] = body

"""An integrator's first session with the generated Python client (clients/python): onboard a
client and a source (admin), register a webhook (client), send an event (source, signed), and
list the webhook's attempts until the delivery shows. Run by tests/openapi.rs against a live
`edgehook up`; settings come from the environment. Exits non-zero with a message on failure."""

import hashlib
import hmac
import os
import sys
import time

from edgehook_client import AuthenticatedClient, Client
from edgehook_client.api.clients import clients_create
from edgehook_client.api.sources import sources_create
from edgehook_client.api.webhooks import webhooks_create, webhooks_list
from edgehook_client.api.deliveries import deliveries_of_webhook
from edgehook_client.api.ingest import ingest_one
from edgehook_client.models import ClientFields, IncomingEvent, NewSource, WebhookFields
from edgehook_client.models.incoming_event_data import IncomingEventData

control_plane = os.environ["EDGEHOOK_CONTROL_PLANE"]
ingest_url = os.environ["EDGEHOOK_INGEST"]
callback = os.environ["CALLBACK_URL"]

admin = AuthenticatedClient(base_url=control_plane, token=os.environ["ADMIN_TOKEN"], raise_on_unexpected_status=True)
created = clients_create.sync(client=admin, body=ClientFields(name="python client story"))
source = sources_create.sync(client=admin, body=NewSource(name="billing", allowed_event_types=["*"]))

me = AuthenticatedClient(base_url=control_plane, token=created.token, raise_on_unexpected_status=True)
webhook = webhooks_create.sync(client=me, body=WebhookFields(callback_url=callback))
listed = webhooks_list.sync(client=me)
assert any(item.webhook_id == webhook.webhook_id for item in listed.data), listed


def sign(request):
    """The source's signature over the exact bytes sent (ingest/src/source_auth.rs)."""
    request.headers["X-Source-Timestamp"] = str(int(time.time()))
    digest = hmac.new(source.signing_secret.encode(), request.content, hashlib.sha256).hexdigest()
    request.headers["X-Source-Signature"] = f"sha256={digest}"


sender = AuthenticatedClient(
    base_url=ingest_url,
    token=source.api_key,
    raise_on_unexpected_status=True,
    httpx_args={"event_hooks": {"request": [sign]}},
)
data = IncomingEventData.from_dict({"amount": 1200, "currency": "EUR"})
event = IncomingEvent(event_id="py-1", event_type="payment.succeeded", client_id=created.client_id, data=data)
accepted = ingest_one.sync(client=sender, body=event)
assert accepted.event_id == "py-1" and not accepted.duplicate, accepted

deadline = time.monotonic() + 30
while True:
    page = deliveries_of_webhook.sync(client=me, webhook_id=webhook.webhook_id)
    delivered = [attempt for attempt in page.data if attempt.event_id == "py-1" and attempt.status_code == 200]
    if delivered:
        break
    if time.monotonic() > deadline:
        sys.exit(f"no delivered attempt listed within 30 s: {page}")
    time.sleep(0.2)
print(f"delivered {accepted.event_id} to {webhook.webhook_id}")

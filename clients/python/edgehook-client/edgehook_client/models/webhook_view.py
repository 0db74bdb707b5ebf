from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.delivery import Delivery
from ..models.ordering import Ordering
from ..models.priority import Priority
from ..models.scheme import Scheme
from ..models.webhook_status import WebhookStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.encryption import Encryption
  from ..models.endpoint_auth_view import EndpointAuthView
  from ..models.endpoint_health import EndpointHealth
  from ..models.poll_settings import PollSettings
  from ..models.rate_limit import RateLimit
  from ..models.retry_config import RetryConfig
  from ..models.trigger_conditions import TriggerConditions





T = TypeVar("T", bound="WebhookView")



@_attrs_define
class WebhookView:
    """ A webhook as the API shows it; the signing secret only when it was just made.

        Attributes:
            webhook_id (str):
            client_id (str):
            callback_url (None | str): `null` for a poll webhook.
            delivery (Delivery): How a webhook's deliveries reach its client.
            region (str):
            event_types (list[str]):
            trigger_conditions (TriggerConditions): Which events, by the content of their `data`, a webhook wants.
            retry_config (RetryConfig): How a failed delivery is retried: `initial_delay_ms * backoff_multiplier^(n-1)`,
                capped.
            rate_limit (RateLimit): How fast the relays may call the endpoint, shared by a region's relays.
            priority (Priority):
            ordering (Ordering): How a webhook's deliveries are ordered.
            status (WebhookStatus):
            description (None | str):
            callback_url_verified (bool): Did the callback URL answer when it was registered or last changed?
            signature (Scheme): How a webhook's deliveries are signed.
            encryption (Encryption | None):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
            poll (PollSettings | Unset): A poll webhook's settings.
            ordering_key (str | Unset): A FIFO webhook's ordering key, if it has one.
            disabled_reason (str | Unset): Why edgehook disabled it, when it did.
            health (EndpointHealth | Unset):
            auth (EndpointAuthView | Unset): What answers show of `auth`: no secret, sealed or not.
            public_key (str | Unset): The `whpk_` key `v1a` signatures verify with (Ed25519 webhooks).
            signing_secret (str | Unset): The `whsec_` secret (HMAC webhooks), only in the answer that made it.
     """

    webhook_id: str
    client_id: str
    callback_url: None | str
    delivery: Delivery
    region: str
    event_types: list[str]
    trigger_conditions: TriggerConditions
    retry_config: RetryConfig
    rate_limit: RateLimit
    priority: Priority
    ordering: Ordering
    status: WebhookStatus
    description: None | str
    callback_url_verified: bool
    signature: Scheme
    encryption: Encryption | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    poll: PollSettings | Unset = UNSET
    ordering_key: str | Unset = UNSET
    disabled_reason: str | Unset = UNSET
    health: EndpointHealth | Unset = UNSET
    auth: EndpointAuthView | Unset = UNSET
    public_key: str | Unset = UNSET
    signing_secret: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.encryption import Encryption # noqa: PLC0415
        from ..models.endpoint_auth_view import EndpointAuthView # noqa: PLC0415
        from ..models.endpoint_health import EndpointHealth # noqa: PLC0415
        from ..models.poll_settings import PollSettings # noqa: PLC0415
        from ..models.rate_limit import RateLimit # noqa: PLC0415
        from ..models.retry_config import RetryConfig # noqa: PLC0415
        from ..models.trigger_conditions import TriggerConditions # noqa: PLC0415
        webhook_id = self.webhook_id

        client_id = self.client_id

        callback_url: None | str
        callback_url = self.callback_url

        delivery = self.delivery.value

        region = self.region

        event_types = self.event_types



        trigger_conditions = self.trigger_conditions.to_dict()

        retry_config = self.retry_config.to_dict()

        rate_limit = self.rate_limit.to_dict()

        priority = self.priority.value

        ordering = self.ordering.value

        status = self.status.value

        description: None | str
        description = self.description

        callback_url_verified = self.callback_url_verified

        signature = self.signature.value

        encryption: dict[str, Any] | None
        if isinstance(self.encryption, Encryption):
            encryption = self.encryption.to_dict()
        else:
            encryption = self.encryption

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        poll: dict[str, Any] | Unset = UNSET
        if not isinstance(self.poll, Unset):
            poll = self.poll.to_dict()

        ordering_key = self.ordering_key

        disabled_reason = self.disabled_reason

        health: dict[str, Any] | Unset = UNSET
        if not isinstance(self.health, Unset):
            health = self.health.to_dict()

        auth: dict[str, Any] | Unset = UNSET
        if not isinstance(self.auth, Unset):
            auth = self.auth.to_dict()

        public_key = self.public_key

        signing_secret = self.signing_secret


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "webhook_id": webhook_id,
            "client_id": client_id,
            "callback_url": callback_url,
            "delivery": delivery,
            "region": region,
            "event_types": event_types,
            "trigger_conditions": trigger_conditions,
            "retry_config": retry_config,
            "rate_limit": rate_limit,
            "priority": priority,
            "ordering": ordering,
            "status": status,
            "description": description,
            "callback_url_verified": callback_url_verified,
            "signature": signature,
            "encryption": encryption,
            "created_at": created_at,
            "updated_at": updated_at,
        })
        if poll is not UNSET:
            field_dict["poll"] = poll
        if ordering_key is not UNSET:
            field_dict["ordering_key"] = ordering_key
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if health is not UNSET:
            field_dict["health"] = health
        if auth is not UNSET:
            field_dict["auth"] = auth
        if public_key is not UNSET:
            field_dict["public_key"] = public_key
        if signing_secret is not UNSET:
            field_dict["signing_secret"] = signing_secret

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.encryption import Encryption # noqa: PLC0415
        from ..models.endpoint_auth_view import EndpointAuthView # noqa: PLC0415
        from ..models.endpoint_health import EndpointHealth # noqa: PLC0415
        from ..models.poll_settings import PollSettings # noqa: PLC0415
        from ..models.rate_limit import RateLimit # noqa: PLC0415
        from ..models.retry_config import RetryConfig # noqa: PLC0415
        from ..models.trigger_conditions import TriggerConditions # noqa: PLC0415
        d = dict(src_dict)
        webhook_id = d.pop("webhook_id")

        client_id = d.pop("client_id")

        def _parse_callback_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        callback_url = _parse_callback_url(d.pop("callback_url"))


        delivery = Delivery(d.pop("delivery"))




        region = d.pop("region")

        event_types = cast(list[str], d.pop("event_types"))


        trigger_conditions = TriggerConditions.from_dict(d.pop("trigger_conditions"))




        retry_config = RetryConfig.from_dict(d.pop("retry_config"))




        rate_limit = RateLimit.from_dict(d.pop("rate_limit"))




        priority = Priority(d.pop("priority"))




        ordering = Ordering(d.pop("ordering"))




        status = WebhookStatus(d.pop("status"))




        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))


        callback_url_verified = d.pop("callback_url_verified")

        signature = Scheme(d.pop("signature"))




        def _parse_encryption(data: object) -> Encryption | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                encryption_type_1 = Encryption.from_dict(data)



                return encryption_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Encryption | None, data)

        encryption = _parse_encryption(d.pop("encryption"))


        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        _poll = d.pop("poll", UNSET)
        poll: PollSettings | Unset
        if isinstance(_poll,  Unset):
            poll = UNSET
        else:
            poll = PollSettings.from_dict(_poll)




        ordering_key = d.pop("ordering_key", UNSET)

        disabled_reason = d.pop("disabled_reason", UNSET)

        _health = d.pop("health", UNSET)
        health: EndpointHealth | Unset
        if isinstance(_health,  Unset):
            health = UNSET
        else:
            health = EndpointHealth.from_dict(_health)




        _auth = d.pop("auth", UNSET)
        auth: EndpointAuthView | Unset
        if isinstance(_auth,  Unset):
            auth = UNSET
        else:
            auth = EndpointAuthView.from_dict(_auth)




        public_key = d.pop("public_key", UNSET)

        signing_secret = d.pop("signing_secret", UNSET)

        webhook_view = cls(
            webhook_id=webhook_id,
            client_id=client_id,
            callback_url=callback_url,
            delivery=delivery,
            region=region,
            event_types=event_types,
            trigger_conditions=trigger_conditions,
            retry_config=retry_config,
            rate_limit=rate_limit,
            priority=priority,
            ordering=ordering,
            status=status,
            description=description,
            callback_url_verified=callback_url_verified,
            signature=signature,
            encryption=encryption,
            created_at=created_at,
            updated_at=updated_at,
            poll=poll,
            ordering_key=ordering_key,
            disabled_reason=disabled_reason,
            health=health,
            auth=auth,
            public_key=public_key,
            signing_secret=signing_secret,
        )


        webhook_view.additional_properties = d
        return webhook_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.priority import Priority
from ..models.scheme import Scheme
from ..models.webhook_status import WebhookStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.encryption import Encryption
  from ..models.endpoint_health import EndpointHealth
  from ..models.rate_limit import RateLimit
  from ..models.replay_progress import ReplayProgress
  from ..models.retry_config import RetryConfig
  from ..models.trigger_conditions import TriggerConditions





T = TypeVar("T", bound="WebhookUpdated")



@_attrs_define
class WebhookUpdated:
    """ A webhook as changed by a PATCH, with the replay of what it missed when the PATCH enabled a
    webhook edgehook had disabled.

        Attributes:
            webhook_id (str):
            client_id (str):
            callback_url (str):
            region (str):
            event_types (list[str]):
            trigger_conditions (TriggerConditions): Which events, by the content of their `data`, a webhook wants.
            retry_config (RetryConfig): How a failed delivery is retried: `initial_delay_ms * backoff_multiplier^(n-1)`,
                capped.
            rate_limit (RateLimit): How fast the relays may call the endpoint, shared by a region's relays.
            priority (Priority):
            status (WebhookStatus):
            description (None | str):
            callback_url_verified (bool): Did the callback URL answer when it was registered or last changed?
            signature (Scheme): How a webhook's deliveries are signed.
            encryption (Encryption | None):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
            disabled_reason (str | Unset): Why edgehook disabled it, when it did.
            health (EndpointHealth | Unset):
            public_key (str | Unset): The `whpk_` key `v1a` signatures verify with (Ed25519 webhooks).
            signing_secret (str | Unset): The `whsec_` secret (HMAC webhooks), only in the answer that made it.
            replay (ReplayProgress | Unset): What a replay call did (also the `replay` of a PATCH that enabled a webhook
                again).
     """

    webhook_id: str
    client_id: str
    callback_url: str
    region: str
    event_types: list[str]
    trigger_conditions: TriggerConditions
    retry_config: RetryConfig
    rate_limit: RateLimit
    priority: Priority
    status: WebhookStatus
    description: None | str
    callback_url_verified: bool
    signature: Scheme
    encryption: Encryption | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    disabled_reason: str | Unset = UNSET
    health: EndpointHealth | Unset = UNSET
    public_key: str | Unset = UNSET
    signing_secret: str | Unset = UNSET
    replay: ReplayProgress | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.encryption import Encryption # noqa: PLC0415
        from ..models.endpoint_health import EndpointHealth # noqa: PLC0415
        from ..models.rate_limit import RateLimit # noqa: PLC0415
        from ..models.replay_progress import ReplayProgress # noqa: PLC0415
        from ..models.retry_config import RetryConfig # noqa: PLC0415
        from ..models.trigger_conditions import TriggerConditions # noqa: PLC0415
        webhook_id = self.webhook_id

        client_id = self.client_id

        callback_url = self.callback_url

        region = self.region

        event_types = self.event_types



        trigger_conditions = self.trigger_conditions.to_dict()

        retry_config = self.retry_config.to_dict()

        rate_limit = self.rate_limit.to_dict()

        priority = self.priority.value

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

        disabled_reason = self.disabled_reason

        health: dict[str, Any] | Unset = UNSET
        if not isinstance(self.health, Unset):
            health = self.health.to_dict()

        public_key = self.public_key

        signing_secret = self.signing_secret

        replay: dict[str, Any] | Unset = UNSET
        if not isinstance(self.replay, Unset):
            replay = self.replay.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "webhook_id": webhook_id,
            "client_id": client_id,
            "callback_url": callback_url,
            "region": region,
            "event_types": event_types,
            "trigger_conditions": trigger_conditions,
            "retry_config": retry_config,
            "rate_limit": rate_limit,
            "priority": priority,
            "status": status,
            "description": description,
            "callback_url_verified": callback_url_verified,
            "signature": signature,
            "encryption": encryption,
            "created_at": created_at,
            "updated_at": updated_at,
        })
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if health is not UNSET:
            field_dict["health"] = health
        if public_key is not UNSET:
            field_dict["public_key"] = public_key
        if signing_secret is not UNSET:
            field_dict["signing_secret"] = signing_secret
        if replay is not UNSET:
            field_dict["replay"] = replay

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.encryption import Encryption # noqa: PLC0415
        from ..models.endpoint_health import EndpointHealth # noqa: PLC0415
        from ..models.rate_limit import RateLimit # noqa: PLC0415
        from ..models.replay_progress import ReplayProgress # noqa: PLC0415
        from ..models.retry_config import RetryConfig # noqa: PLC0415
        from ..models.trigger_conditions import TriggerConditions # noqa: PLC0415
        d = dict(src_dict)
        webhook_id = d.pop("webhook_id")

        client_id = d.pop("client_id")

        callback_url = d.pop("callback_url")

        region = d.pop("region")

        event_types = cast(list[str], d.pop("event_types"))


        trigger_conditions = TriggerConditions.from_dict(d.pop("trigger_conditions"))




        retry_config = RetryConfig.from_dict(d.pop("retry_config"))




        rate_limit = RateLimit.from_dict(d.pop("rate_limit"))




        priority = Priority(d.pop("priority"))




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




        disabled_reason = d.pop("disabled_reason", UNSET)

        _health = d.pop("health", UNSET)
        health: EndpointHealth | Unset
        if isinstance(_health,  Unset):
            health = UNSET
        else:
            health = EndpointHealth.from_dict(_health)




        public_key = d.pop("public_key", UNSET)

        signing_secret = d.pop("signing_secret", UNSET)

        _replay = d.pop("replay", UNSET)
        replay: ReplayProgress | Unset
        if isinstance(_replay,  Unset):
            replay = UNSET
        else:
            replay = ReplayProgress.from_dict(_replay)




        webhook_updated = cls(
            webhook_id=webhook_id,
            client_id=client_id,
            callback_url=callback_url,
            region=region,
            event_types=event_types,
            trigger_conditions=trigger_conditions,
            retry_config=retry_config,
            rate_limit=rate_limit,
            priority=priority,
            status=status,
            description=description,
            callback_url_verified=callback_url_verified,
            signature=signature,
            encryption=encryption,
            created_at=created_at,
            updated_at=updated_at,
            disabled_reason=disabled_reason,
            health=health,
            public_key=public_key,
            signing_secret=signing_secret,
            replay=replay,
        )


        webhook_updated.additional_properties = d
        return webhook_updated

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

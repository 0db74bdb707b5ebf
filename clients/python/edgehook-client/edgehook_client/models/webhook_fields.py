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

if TYPE_CHECKING:
  from ..models.encryption import Encryption
  from ..models.endpoint_auth_request import EndpointAuthRequest
  from ..models.poll_settings import PollSettings
  from ..models.rate_limit import RateLimit
  from ..models.retry_config import RetryConfig
  from ..models.trigger_conditions import TriggerConditions





T = TypeVar("T", bound="WebhookFields")



@_attrs_define
class WebhookFields:
    """ The fields a client sets, on create and (merged with the current ones) on PATCH.

        Attributes:
            callback_url (str | Unset): Where deliveries are POSTed: an `https` URL (`http` only where the deployment allows
                it), at most 2,048 characters, whose host resolves to addresses deliveries may reach.
                Required for a `push` webhook; a `poll` webhook has none.
            delivery (Delivery | Unset): How a webhook's deliveries reach its client.
            poll (PollSettings | Unset): A poll webhook's settings.
            region (None | str | Unset): One of `GET /api/v1/regions`; default: the deployment's default region.
            event_types (list[str] | Unset): At most 100 patterns: a type, `<prefix>.*` or `*`; each must select a type of
                the
                event-type catalogue once it has any. Empty: every type (but edgehook's own).
            trigger_conditions (TriggerConditions | Unset): Which events, by the content of their `data`, a webhook wants.
            retry_config (RetryConfig | Unset): How a failed delivery is retried: `initial_delay_ms *
                backoff_multiplier^(n-1)`, capped.
            rate_limit (RateLimit | Unset): How fast the relays may call the endpoint, shared by a region's relays.
            priority (Priority | Unset):
            ordering (Ordering | Unset): How a webhook's deliveries are ordered.
            ordering_key (None | str | Unset): With `fifo`: a field of `data` (dots reach nested ones, e.g. `order_id`); the
                order is
                kept per value of it, and different values go in parallel (16 lanes).
            status (WebhookStatus | Unset):  Default: WebhookStatus.ACTIVE.
            signature (Scheme | Unset): How a webhook's deliveries are signed.
            encryption (Encryption | None | Unset):
            auth (EndpointAuthRequest | None | Unset):
            description (None | str | Unset): At most 512 bytes.
     """

    callback_url: str | Unset = UNSET
    delivery: Delivery | Unset = UNSET
    poll: PollSettings | Unset = UNSET
    region: None | str | Unset = UNSET
    event_types: list[str] | Unset = UNSET
    trigger_conditions: TriggerConditions | Unset = UNSET
    retry_config: RetryConfig | Unset = UNSET
    rate_limit: RateLimit | Unset = UNSET
    priority: Priority | Unset = UNSET
    ordering: Ordering | Unset = UNSET
    ordering_key: None | str | Unset = UNSET
    status: WebhookStatus | Unset = WebhookStatus.ACTIVE
    signature: Scheme | Unset = UNSET
    encryption: Encryption | None | Unset = UNSET
    auth: EndpointAuthRequest | None | Unset = UNSET
    description: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.encryption import Encryption # noqa: PLC0415
        from ..models.endpoint_auth_request import EndpointAuthRequest # noqa: PLC0415
        from ..models.poll_settings import PollSettings # noqa: PLC0415
        from ..models.rate_limit import RateLimit # noqa: PLC0415
        from ..models.retry_config import RetryConfig # noqa: PLC0415
        from ..models.trigger_conditions import TriggerConditions # noqa: PLC0415
        callback_url = self.callback_url

        delivery: str | Unset = UNSET
        if not isinstance(self.delivery, Unset):
            delivery = self.delivery.value


        poll: dict[str, Any] | Unset = UNSET
        if not isinstance(self.poll, Unset):
            poll = self.poll.to_dict()

        region: None | str | Unset
        if isinstance(self.region, Unset):
            region = UNSET
        else:
            region = self.region

        event_types: list[str] | Unset = UNSET
        if not isinstance(self.event_types, Unset):
            event_types = self.event_types



        trigger_conditions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.trigger_conditions, Unset):
            trigger_conditions = self.trigger_conditions.to_dict()

        retry_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.retry_config, Unset):
            retry_config = self.retry_config.to_dict()

        rate_limit: dict[str, Any] | Unset = UNSET
        if not isinstance(self.rate_limit, Unset):
            rate_limit = self.rate_limit.to_dict()

        priority: str | Unset = UNSET
        if not isinstance(self.priority, Unset):
            priority = self.priority.value


        ordering: str | Unset = UNSET
        if not isinstance(self.ordering, Unset):
            ordering = self.ordering.value


        ordering_key: None | str | Unset
        if isinstance(self.ordering_key, Unset):
            ordering_key = UNSET
        else:
            ordering_key = self.ordering_key

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value


        signature: str | Unset = UNSET
        if not isinstance(self.signature, Unset):
            signature = self.signature.value


        encryption: dict[str, Any] | None | Unset
        if isinstance(self.encryption, Unset):
            encryption = UNSET
        elif isinstance(self.encryption, Encryption):
            encryption = self.encryption.to_dict()
        else:
            encryption = self.encryption

        auth: dict[str, Any] | None | Unset
        if isinstance(self.auth, Unset):
            auth = UNSET
        elif isinstance(self.auth, EndpointAuthRequest):
            auth = self.auth.to_dict()
        else:
            auth = self.auth

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if delivery is not UNSET:
            field_dict["delivery"] = delivery
        if poll is not UNSET:
            field_dict["poll"] = poll
        if region is not UNSET:
            field_dict["region"] = region
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if trigger_conditions is not UNSET:
            field_dict["trigger_conditions"] = trigger_conditions
        if retry_config is not UNSET:
            field_dict["retry_config"] = retry_config
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if priority is not UNSET:
            field_dict["priority"] = priority
        if ordering is not UNSET:
            field_dict["ordering"] = ordering
        if ordering_key is not UNSET:
            field_dict["ordering_key"] = ordering_key
        if status is not UNSET:
            field_dict["status"] = status
        if signature is not UNSET:
            field_dict["signature"] = signature
        if encryption is not UNSET:
            field_dict["encryption"] = encryption
        if auth is not UNSET:
            field_dict["auth"] = auth
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.encryption import Encryption # noqa: PLC0415
        from ..models.endpoint_auth_request import EndpointAuthRequest # noqa: PLC0415
        from ..models.poll_settings import PollSettings # noqa: PLC0415
        from ..models.rate_limit import RateLimit # noqa: PLC0415
        from ..models.retry_config import RetryConfig # noqa: PLC0415
        from ..models.trigger_conditions import TriggerConditions # noqa: PLC0415
        d = dict(src_dict)
        callback_url = d.pop("callback_url", UNSET)

        _delivery = d.pop("delivery", UNSET)
        delivery: Delivery | Unset
        if isinstance(_delivery,  Unset):
            delivery = UNSET
        else:
            delivery = Delivery(_delivery)




        _poll = d.pop("poll", UNSET)
        poll: PollSettings | Unset
        if isinstance(_poll,  Unset):
            poll = UNSET
        else:
            poll = PollSettings.from_dict(_poll)




        def _parse_region(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        region = _parse_region(d.pop("region", UNSET))


        event_types = cast(list[str], d.pop("event_types", UNSET))


        _trigger_conditions = d.pop("trigger_conditions", UNSET)
        trigger_conditions: TriggerConditions | Unset
        if isinstance(_trigger_conditions,  Unset):
            trigger_conditions = UNSET
        else:
            trigger_conditions = TriggerConditions.from_dict(_trigger_conditions)




        _retry_config = d.pop("retry_config", UNSET)
        retry_config: RetryConfig | Unset
        if isinstance(_retry_config,  Unset):
            retry_config = UNSET
        else:
            retry_config = RetryConfig.from_dict(_retry_config)




        _rate_limit = d.pop("rate_limit", UNSET)
        rate_limit: RateLimit | Unset
        if isinstance(_rate_limit,  Unset):
            rate_limit = UNSET
        else:
            rate_limit = RateLimit.from_dict(_rate_limit)




        _priority = d.pop("priority", UNSET)
        priority: Priority | Unset
        if isinstance(_priority,  Unset):
            priority = UNSET
        else:
            priority = Priority(_priority)




        _ordering = d.pop("ordering", UNSET)
        ordering: Ordering | Unset
        if isinstance(_ordering,  Unset):
            ordering = UNSET
        else:
            ordering = Ordering(_ordering)




        def _parse_ordering_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ordering_key = _parse_ordering_key(d.pop("ordering_key", UNSET))


        _status = d.pop("status", UNSET)
        status: WebhookStatus | Unset
        if isinstance(_status,  Unset):
            status = UNSET
        else:
            status = WebhookStatus(_status)




        _signature = d.pop("signature", UNSET)
        signature: Scheme | Unset
        if isinstance(_signature,  Unset):
            signature = UNSET
        else:
            signature = Scheme(_signature)




        def _parse_encryption(data: object) -> Encryption | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                encryption_type_1 = Encryption.from_dict(data)



                return encryption_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Encryption | None | Unset, data)

        encryption = _parse_encryption(d.pop("encryption", UNSET))


        def _parse_auth(data: object) -> EndpointAuthRequest | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                auth_type_1 = EndpointAuthRequest.from_dict(data)



                return auth_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndpointAuthRequest | None | Unset, data)

        auth = _parse_auth(d.pop("auth", UNSET))


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        webhook_fields = cls(
            callback_url=callback_url,
            delivery=delivery,
            poll=poll,
            region=region,
            event_types=event_types,
            trigger_conditions=trigger_conditions,
            retry_config=retry_config,
            rate_limit=rate_limit,
            priority=priority,
            ordering=ordering,
            ordering_key=ordering_key,
            status=status,
            signature=signature,
            encryption=encryption,
            auth=auth,
            description=description,
        )

        return webhook_fields


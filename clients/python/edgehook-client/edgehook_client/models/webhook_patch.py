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
  from ..models.poll_settings_patch import PollSettingsPatch
  from ..models.rate_limit_patch import RateLimitPatch
  from ..models.retry_config_patch import RetryConfigPatch
  from ..models.trigger_conditions_patch import TriggerConditionsPatch





T = TypeVar("T", bound="WebhookPatch")



@_attrs_define
class WebhookPatch:
    """ A PATCH of a webhook: a JSON merge patch (RFC 7396) of [`WebhookFields`] (in the document
    only; the handler merges the raw JSON). `null` removes a field (its default applies; the
    default region for `region`); objects merge key by key.

        Attributes:
            callback_url (str | Unset):
            delivery (Delivery | None | Unset):
            poll (None | PollSettingsPatch | Unset):
            region (None | str | Unset):
            event_types (list[str] | None | Unset):
            trigger_conditions (None | TriggerConditionsPatch | Unset):
            retry_config (None | RetryConfigPatch | Unset):
            rate_limit (None | RateLimitPatch | Unset):
            priority (None | Priority | Unset):
            ordering (None | Ordering | Unset):
            ordering_key (None | str | Unset):
            status (None | Unset | WebhookStatus):
            signature (None | Scheme | Unset):
            encryption (Encryption | None | Unset):
            auth (EndpointAuthRequest | None | Unset):
            description (None | str | Unset):
     """

    callback_url: str | Unset = UNSET
    delivery: Delivery | None | Unset = UNSET
    poll: None | PollSettingsPatch | Unset = UNSET
    region: None | str | Unset = UNSET
    event_types: list[str] | None | Unset = UNSET
    trigger_conditions: None | TriggerConditionsPatch | Unset = UNSET
    retry_config: None | RetryConfigPatch | Unset = UNSET
    rate_limit: None | RateLimitPatch | Unset = UNSET
    priority: None | Priority | Unset = UNSET
    ordering: None | Ordering | Unset = UNSET
    ordering_key: None | str | Unset = UNSET
    status: None | Unset | WebhookStatus = UNSET
    signature: None | Scheme | Unset = UNSET
    encryption: Encryption | None | Unset = UNSET
    auth: EndpointAuthRequest | None | Unset = UNSET
    description: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.encryption import Encryption # noqa: PLC0415
        from ..models.endpoint_auth_request import EndpointAuthRequest # noqa: PLC0415
        from ..models.poll_settings_patch import PollSettingsPatch # noqa: PLC0415
        from ..models.rate_limit_patch import RateLimitPatch # noqa: PLC0415
        from ..models.retry_config_patch import RetryConfigPatch # noqa: PLC0415
        from ..models.trigger_conditions_patch import TriggerConditionsPatch # noqa: PLC0415
        callback_url = self.callback_url

        delivery: None | str | Unset
        if isinstance(self.delivery, Unset):
            delivery = UNSET
        elif isinstance(self.delivery, Delivery):
            delivery = self.delivery.value
        else:
            delivery = self.delivery

        poll: dict[str, Any] | None | Unset
        if isinstance(self.poll, Unset):
            poll = UNSET
        elif isinstance(self.poll, PollSettingsPatch):
            poll = self.poll.to_dict()
        else:
            poll = self.poll

        region: None | str | Unset
        if isinstance(self.region, Unset):
            region = UNSET
        else:
            region = self.region

        event_types: list[str] | None | Unset
        if isinstance(self.event_types, Unset):
            event_types = UNSET
        elif isinstance(self.event_types, list):
            event_types = self.event_types


        else:
            event_types = self.event_types

        trigger_conditions: dict[str, Any] | None | Unset
        if isinstance(self.trigger_conditions, Unset):
            trigger_conditions = UNSET
        elif isinstance(self.trigger_conditions, TriggerConditionsPatch):
            trigger_conditions = self.trigger_conditions.to_dict()
        else:
            trigger_conditions = self.trigger_conditions

        retry_config: dict[str, Any] | None | Unset
        if isinstance(self.retry_config, Unset):
            retry_config = UNSET
        elif isinstance(self.retry_config, RetryConfigPatch):
            retry_config = self.retry_config.to_dict()
        else:
            retry_config = self.retry_config

        rate_limit: dict[str, Any] | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        elif isinstance(self.rate_limit, RateLimitPatch):
            rate_limit = self.rate_limit.to_dict()
        else:
            rate_limit = self.rate_limit

        priority: None | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        elif isinstance(self.priority, Priority):
            priority = self.priority.value
        else:
            priority = self.priority

        ordering: None | str | Unset
        if isinstance(self.ordering, Unset):
            ordering = UNSET
        elif isinstance(self.ordering, Ordering):
            ordering = self.ordering.value
        else:
            ordering = self.ordering

        ordering_key: None | str | Unset
        if isinstance(self.ordering_key, Unset):
            ordering_key = UNSET
        else:
            ordering_key = self.ordering_key

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, WebhookStatus):
            status = self.status.value
        else:
            status = self.status

        signature: None | str | Unset
        if isinstance(self.signature, Unset):
            signature = UNSET
        elif isinstance(self.signature, Scheme):
            signature = self.signature.value
        else:
            signature = self.signature

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
        from ..models.poll_settings_patch import PollSettingsPatch # noqa: PLC0415
        from ..models.rate_limit_patch import RateLimitPatch # noqa: PLC0415
        from ..models.retry_config_patch import RetryConfigPatch # noqa: PLC0415
        from ..models.trigger_conditions_patch import TriggerConditionsPatch # noqa: PLC0415
        d = dict(src_dict)
        callback_url = d.pop("callback_url", UNSET)

        def _parse_delivery(data: object) -> Delivery | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivery_type_1 = Delivery(data)



                return delivery_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Delivery | None | Unset, data)

        delivery = _parse_delivery(d.pop("delivery", UNSET))


        def _parse_poll(data: object) -> None | PollSettingsPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                poll_type_1 = PollSettingsPatch.from_dict(data)



                return poll_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PollSettingsPatch | Unset, data)

        poll = _parse_poll(d.pop("poll", UNSET))


        def _parse_region(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        region = _parse_region(d.pop("region", UNSET))


        def _parse_event_types(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                event_types_type_0 = cast(list[str], data)

                return event_types_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        event_types = _parse_event_types(d.pop("event_types", UNSET))


        def _parse_trigger_conditions(data: object) -> None | TriggerConditionsPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                trigger_conditions_type_1 = TriggerConditionsPatch.from_dict(data)



                return trigger_conditions_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TriggerConditionsPatch | Unset, data)

        trigger_conditions = _parse_trigger_conditions(d.pop("trigger_conditions", UNSET))


        def _parse_retry_config(data: object) -> None | RetryConfigPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                retry_config_type_1 = RetryConfigPatch.from_dict(data)



                return retry_config_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RetryConfigPatch | Unset, data)

        retry_config = _parse_retry_config(d.pop("retry_config", UNSET))


        def _parse_rate_limit(data: object) -> None | RateLimitPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limit_type_1 = RateLimitPatch.from_dict(data)



                return rate_limit_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RateLimitPatch | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))


        def _parse_priority(data: object) -> None | Priority | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                priority_type_1 = Priority(data)



                return priority_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Priority | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))


        def _parse_ordering(data: object) -> None | Ordering | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ordering_type_1 = Ordering(data)



                return ordering_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Ordering | Unset, data)

        ordering = _parse_ordering(d.pop("ordering", UNSET))


        def _parse_ordering_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ordering_key = _parse_ordering_key(d.pop("ordering_key", UNSET))


        def _parse_status(data: object) -> None | Unset | WebhookStatus:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = WebhookStatus(data)



                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WebhookStatus, data)

        status = _parse_status(d.pop("status", UNSET))


        def _parse_signature(data: object) -> None | Scheme | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signature_type_1 = Scheme(data)



                return signature_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Scheme | Unset, data)

        signature = _parse_signature(d.pop("signature", UNSET))


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


        webhook_patch = cls(
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

        return webhook_patch


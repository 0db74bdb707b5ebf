from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.delivery_headers import DeliveryHeaders





T = TypeVar("T", bound="PolledMessage")



@_attrs_define
class PolledMessage:
    """ One delivery, as an HTTP delivery would have brought it.

        Attributes:
            ack_id (str): What `POST /api/v1/webhooks/{id}/poll/ack` takes to acknowledge this delivery (valid for
                this webhook only).
            event_id (str):
            event_type (str):
            attempt (int): This fetch's attempt number (1 for the first): a delivery not acknowledged within the
                visibility timeout is fetched again, as the next attempt.
            headers (DeliveryHeaders):
            body (str): The body exactly as signed: the event as JSON, or a JWE (compact) when the webhook
                encrypts its payload.
     """

    ack_id: str
    event_id: str
    event_type: str
    attempt: int
    headers: DeliveryHeaders
    body: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.delivery_headers import DeliveryHeaders # noqa: PLC0415
        ack_id = self.ack_id

        event_id = self.event_id

        event_type = self.event_type

        attempt = self.attempt

        headers = self.headers.to_dict()

        body = self.body


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "ack_id": ack_id,
            "event_id": event_id,
            "event_type": event_type,
            "attempt": attempt,
            "headers": headers,
            "body": body,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delivery_headers import DeliveryHeaders # noqa: PLC0415
        d = dict(src_dict)
        ack_id = d.pop("ack_id")

        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        attempt = d.pop("attempt")

        headers = DeliveryHeaders.from_dict(d.pop("headers"))




        body = d.pop("body")

        polled_message = cls(
            ack_id=ack_id,
            event_id=event_id,
            event_type=event_type,
            attempt=attempt,
            headers=headers,
            body=body,
        )


        polled_message.additional_properties = d
        return polled_message

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.delivery_status import DeliveryStatus
from typing import cast
import datetime






T = TypeVar("T", bound="WebhookDelivery")



@_attrs_define
class WebhookDelivery:
    """ How one event went to one webhook: its latest attempt's outcome.

        Attributes:
            webhook_id (str):
            status (DeliveryStatus): The latest attempt's outcome, as an event's delivery to one webhook.
            attempts (int): Attempts made so far.
            last_attempt_at (datetime.datetime):
     """

    webhook_id: str
    status: DeliveryStatus
    attempts: int
    last_attempt_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        webhook_id = self.webhook_id

        status = self.status.value

        attempts = self.attempts

        last_attempt_at = self.last_attempt_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "webhook_id": webhook_id,
            "status": status,
            "attempts": attempts,
            "last_attempt_at": last_attempt_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        webhook_id = d.pop("webhook_id")

        status = DeliveryStatus(d.pop("status"))




        attempts = d.pop("attempts")

        last_attempt_at = datetime.datetime.fromisoformat(d.pop("last_attempt_at"))




        webhook_delivery = cls(
            webhook_id=webhook_id,
            status=status,
            attempts=attempts,
            last_attempt_at=last_attempt_at,
        )


        webhook_delivery.additional_properties = d
        return webhook_delivery

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

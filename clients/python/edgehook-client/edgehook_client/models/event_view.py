from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.counts import Counts
  from ..models.event_view_data_type_0 import EventViewDataType0
  from ..models.webhook_delivery import WebhookDelivery





T = TypeVar("T", bound="EventView")



@_attrs_define
class EventView:
    """ An event of the client and how it went to each webhook.

        Attributes:
            event_id (str): The source's id for the event.
            event_type (str):
            message_id (str):
            accepted_at (datetime.datetime):
            expunged (bool): The payload was erased (`DELETE /api/v1/events/{event_id}`).
            summary (Counts): How many webhooks are at each outcome.
            webhooks (list[WebhookDelivery]): Each webhook that had an attempt, with its latest.
            data (EventViewDataType0 | None | Unset): The event's `data` (`GET /api/v1/events/{event_id}` only; `null` once
                expunged).
     """

    event_id: str
    event_type: str
    message_id: str
    accepted_at: datetime.datetime
    expunged: bool
    summary: Counts
    webhooks: list[WebhookDelivery]
    data: EventViewDataType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.counts import Counts # noqa: PLC0415
        from ..models.event_view_data_type_0 import EventViewDataType0 # noqa: PLC0415
        from ..models.webhook_delivery import WebhookDelivery # noqa: PLC0415
        event_id = self.event_id

        event_type = self.event_type

        message_id = self.message_id

        accepted_at = self.accepted_at.isoformat()

        expunged = self.expunged

        summary = self.summary.to_dict()

        webhooks = []
        for webhooks_item_data in self.webhooks:
            webhooks_item = webhooks_item_data.to_dict()
            webhooks.append(webhooks_item)



        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, EventViewDataType0):
            data = self.data.to_dict()
        else:
            data = self.data


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "event_id": event_id,
            "event_type": event_type,
            "message_id": message_id,
            "accepted_at": accepted_at,
            "expunged": expunged,
            "summary": summary,
            "webhooks": webhooks,
        })
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.counts import Counts # noqa: PLC0415
        from ..models.event_view_data_type_0 import EventViewDataType0 # noqa: PLC0415
        from ..models.webhook_delivery import WebhookDelivery # noqa: PLC0415
        d = dict(src_dict)
        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        message_id = d.pop("message_id")

        accepted_at = datetime.datetime.fromisoformat(d.pop("accepted_at"))




        expunged = d.pop("expunged")

        summary = Counts.from_dict(d.pop("summary"))




        webhooks = []
        _webhooks = d.pop("webhooks")
        for webhooks_item_data in (_webhooks):
            webhooks_item = WebhookDelivery.from_dict(webhooks_item_data)



            webhooks.append(webhooks_item)


        def _parse_data(data: object) -> EventViewDataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = EventViewDataType0.from_dict(data)



                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventViewDataType0 | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))


        event_view = cls(
            event_id=event_id,
            event_type=event_type,
            message_id=message_id,
            accepted_at=accepted_at,
            expunged=expunged,
            summary=summary,
            webhooks=webhooks,
            data=data,
        )


        event_view.additional_properties = d
        return event_view

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

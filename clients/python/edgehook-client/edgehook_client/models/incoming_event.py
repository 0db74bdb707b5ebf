from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.priority import Priority
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.incoming_event_data import IncomingEventData





T = TypeVar("T", bound="IncomingEvent")



@_attrs_define
class IncomingEvent:
    """ An event as a source sends it.

        Example:
            {'client_id': 'cli_01JD8K3Q5T2V9W0X4Y6Z8A1B2C', 'data': {'amount': 1200, 'currency': 'EUR'}, 'event_id':
                'evt_1', 'event_type': 'payment.succeeded'}

        Attributes:
            event_id (str): The source's id for the event: the same `(client_id, event_id)` is accepted once.
            event_type (str):
            client_id (str):
            data (IncomingEventData): Any JSON object; checked against the type's schema when the catalogue has one.
            timestamp (datetime.datetime | None | Unset): RFC 3339; when absent, the time ingest received it.
            version (None | str | Unset): The event's schema version, 1 to 32 characters (default `1.0`).
            priority (None | Priority | Unset):
     """

    event_id: str
    event_type: str
    client_id: str
    data: IncomingEventData
    timestamp: datetime.datetime | None | Unset = UNSET
    version: None | str | Unset = UNSET
    priority: None | Priority | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.incoming_event_data import IncomingEventData # noqa: PLC0415
        event_id = self.event_id

        event_type = self.event_type

        client_id = self.client_id

        data = self.data.to_dict()

        timestamp: None | str | Unset
        if isinstance(self.timestamp, Unset):
            timestamp = UNSET
        elif isinstance(self.timestamp, datetime.datetime):
            timestamp = self.timestamp.isoformat()
        else:
            timestamp = self.timestamp

        version: None | str | Unset
        if isinstance(self.version, Unset):
            version = UNSET
        else:
            version = self.version

        priority: None | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        elif isinstance(self.priority, Priority):
            priority = self.priority.value
        else:
            priority = self.priority


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "event_id": event_id,
            "event_type": event_type,
            "client_id": client_id,
            "data": data,
        })
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if version is not UNSET:
            field_dict["version"] = version
        if priority is not UNSET:
            field_dict["priority"] = priority

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.incoming_event_data import IncomingEventData # noqa: PLC0415
        d = dict(src_dict)
        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        client_id = d.pop("client_id")

        data = IncomingEventData.from_dict(d.pop("data"))




        def _parse_timestamp(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                timestamp_type_0 = datetime.datetime.fromisoformat(data)



                return timestamp_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        timestamp = _parse_timestamp(d.pop("timestamp", UNSET))


        def _parse_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        version = _parse_version(d.pop("version", UNSET))


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


        incoming_event = cls(
            event_id=event_id,
            event_type=event_type,
            client_id=client_id,
            data=data,
            timestamp=timestamp,
            version=version,
            priority=priority,
        )

        return incoming_event


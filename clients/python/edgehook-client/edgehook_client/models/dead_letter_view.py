from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.dead_letter_reason import DeadLetterReason
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.dead_letter_view_data import DeadLetterViewData





T = TypeVar("T", bound="DeadLetterView")



@_attrs_define
class DeadLetterView:
    """ A delivery that gave up.

        Attributes:
            dead_letter_id (str): Its place in the dead letters (a number).
            event_id (str):
            message_id (str):
            event_type (str):
            reason (DeadLetterReason):
            attempts (int): Attempts made.
            last_status_code (int | None): The last answer's HTTP status; `null` when the endpoint did not answer.
            last_error (None | str):
            dead_lettered_at (datetime.datetime):
            broke_order (bool): Given up on a FIFO webhook, whose next delivery then went: the order broke here (a
                redrive sends it after what was queued meanwhile).
            data (DeadLetterViewData): The event's `data`.
     """

    dead_letter_id: str
    event_id: str
    message_id: str
    event_type: str
    reason: DeadLetterReason
    attempts: int
    last_status_code: int | None
    last_error: None | str
    dead_lettered_at: datetime.datetime
    broke_order: bool
    data: DeadLetterViewData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.dead_letter_view_data import DeadLetterViewData # noqa: PLC0415
        dead_letter_id = self.dead_letter_id

        event_id = self.event_id

        message_id = self.message_id

        event_type = self.event_type

        reason = self.reason.value

        attempts = self.attempts

        last_status_code: int | None
        last_status_code = self.last_status_code

        last_error: None | str
        last_error = self.last_error

        dead_lettered_at = self.dead_lettered_at.isoformat()

        broke_order = self.broke_order

        data = self.data.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "dead_letter_id": dead_letter_id,
            "event_id": event_id,
            "message_id": message_id,
            "event_type": event_type,
            "reason": reason,
            "attempts": attempts,
            "last_status_code": last_status_code,
            "last_error": last_error,
            "dead_lettered_at": dead_lettered_at,
            "broke_order": broke_order,
            "data": data,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dead_letter_view_data import DeadLetterViewData # noqa: PLC0415
        d = dict(src_dict)
        dead_letter_id = d.pop("dead_letter_id")

        event_id = d.pop("event_id")

        message_id = d.pop("message_id")

        event_type = d.pop("event_type")

        reason = DeadLetterReason(d.pop("reason"))




        attempts = d.pop("attempts")

        def _parse_last_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status_code = _parse_last_status_code(d.pop("last_status_code"))


        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))


        dead_lettered_at = datetime.datetime.fromisoformat(d.pop("dead_lettered_at"))




        broke_order = d.pop("broke_order")

        data = DeadLetterViewData.from_dict(d.pop("data"))




        dead_letter_view = cls(
            dead_letter_id=dead_letter_id,
            event_id=event_id,
            message_id=message_id,
            event_type=event_type,
            reason=reason,
            attempts=attempts,
            last_status_code=last_status_code,
            last_error=last_error,
            dead_lettered_at=dead_lettered_at,
            broke_order=broke_order,
            data=data,
        )


        dead_letter_view.additional_properties = d
        return dead_letter_view

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RedriveRequest")



@_attrs_define
class RedriveRequest:
    """ What to redrive (the body is optional: none, or `{}`, redrives every dead letter, a batch a
    call).

        Attributes:
            event_id (None | str | Unset): Only this event's dead letters.
     """

    event_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        else:
            event_id = self.event_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if event_id is not UNSET:
            field_dict["event_id"] = event_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))


        redrive_request = cls(
            event_id=event_id,
        )

        return redrive_request


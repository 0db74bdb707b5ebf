from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.erased import Erased





T = TypeVar("T", bound="Expunged")



@_attrs_define
class Expunged:
    """ 
        Attributes:
            event_id (str):
            expunged_at (datetime.datetime):
            erased (Erased): Copies of an event's payload erased, by kind.
            incomplete (list[str]): Streams that could not be searched (a region cut off): call again to finish.
     """

    event_id: str
    expunged_at: datetime.datetime
    erased: Erased
    incomplete: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.erased import Erased # noqa: PLC0415
        event_id = self.event_id

        expunged_at = self.expunged_at.isoformat()

        erased = self.erased.to_dict()

        incomplete = self.incomplete




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "event_id": event_id,
            "expunged_at": expunged_at,
            "erased": erased,
            "incomplete": incomplete,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.erased import Erased # noqa: PLC0415
        d = dict(src_dict)
        event_id = d.pop("event_id")

        expunged_at = datetime.datetime.fromisoformat(d.pop("expunged_at"))




        erased = Erased.from_dict(d.pop("erased"))




        incomplete = cast(list[str], d.pop("incomplete"))


        expunged = cls(
            event_id=event_id,
            expunged_at=expunged_at,
            erased=erased,
            incomplete=incomplete,
        )


        expunged.additional_properties = d
        return expunged

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

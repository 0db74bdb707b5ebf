from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="NewSource")



@_attrs_define
class NewSource:
    """ 
        Attributes:
            name (str): 1 to 200 characters, not only spaces.
            allowed_event_types (list[str]): Event type patterns the source may send (`*` for all); at least one.
            allowed_ips (list[str] | Unset): Subnets the source may send from over HTTP (e.g. `203.0.113.0/24`); empty: any.
            max_events_per_second (int | Unset): 1 to 1,000,000 (default 1,000).
     """

    name: str
    allowed_event_types: list[str]
    allowed_ips: list[str] | Unset = UNSET
    max_events_per_second: int | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        allowed_event_types = self.allowed_event_types



        allowed_ips: list[str] | Unset = UNSET
        if not isinstance(self.allowed_ips, Unset):
            allowed_ips = self.allowed_ips



        max_events_per_second = self.max_events_per_second


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "allowed_event_types": allowed_event_types,
        })
        if allowed_ips is not UNSET:
            field_dict["allowed_ips"] = allowed_ips
        if max_events_per_second is not UNSET:
            field_dict["max_events_per_second"] = max_events_per_second

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        allowed_event_types = cast(list[str], d.pop("allowed_event_types"))


        allowed_ips = cast(list[str], d.pop("allowed_ips", UNSET))


        max_events_per_second = d.pop("max_events_per_second", UNSET)

        new_source = cls(
            name=name,
            allowed_event_types=allowed_event_types,
            allowed_ips=allowed_ips,
            max_events_per_second=max_events_per_second,
        )

        return new_source


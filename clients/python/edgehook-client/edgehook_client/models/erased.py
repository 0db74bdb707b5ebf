from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Erased")



@_attrs_define
class Erased:
    """ Copies of an event's payload erased, by kind.

        Attributes:
            events (int): In EVENTS.
            tasks (int): Delivery tasks (the hub's and each region's).
            parked (int): Retries waiting in the parking streams.
            dead_letters (int):
     """

    events: int
    tasks: int
    parked: int
    dead_letters: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        events = self.events

        tasks = self.tasks

        parked = self.parked

        dead_letters = self.dead_letters


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "events": events,
            "tasks": tasks,
            "parked": parked,
            "dead_letters": dead_letters,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        events = d.pop("events")

        tasks = d.pop("tasks")

        parked = d.pop("parked")

        dead_letters = d.pop("dead_letters")

        erased = cls(
            events=events,
            tasks=tasks,
            parked=parked,
            dead_letters=dead_letters,
        )


        erased.additional_properties = d
        return erased

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="ReplayBodyType2")



@_attrs_define
class ReplayBodyType2:
    """ 
        Attributes:
            event_id (str): Send this one event again now, from the history store (whether or not it was delivered).
            since (None | Unset):
            cursor (None | Unset):
     """

    event_id: str
    since: None | Unset = UNSET
    cursor: None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        event_id = self.event_id

        since = self.since

        cursor = self.cursor


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "event_id": event_id,
        })
        if since is not UNSET:
            field_dict["since"] = since
        if cursor is not UNSET:
            field_dict["cursor"] = cursor

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_id = d.pop("event_id")

        since = d.pop("since", UNSET)

        cursor = d.pop("cursor", UNSET)

        replay_body_type_2 = cls(
            event_id=event_id,
            since=since,
            cursor=cursor,
        )

        return replay_body_type_2


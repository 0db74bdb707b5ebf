from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="ReplayBodyType1")



@_attrs_define
class ReplayBodyType1:
    """ 
        Attributes:
            cursor (str): Go on with a replay: the `cursor` its last answer gave.
            since (None | Unset):
            event_id (None | Unset):
     """

    cursor: str
    since: None | Unset = UNSET
    event_id: None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        cursor = self.cursor

        since = self.since

        event_id = self.event_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "cursor": cursor,
        })
        if since is not UNSET:
            field_dict["since"] = since
        if event_id is not UNSET:
            field_dict["event_id"] = event_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cursor = d.pop("cursor")

        since = d.pop("since", UNSET)

        event_id = d.pop("event_id", UNSET)

        replay_body_type_1 = cls(
            cursor=cursor,
            since=since,
            event_id=event_id,
        )

        return replay_body_type_1


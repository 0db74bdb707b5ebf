from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="ReplayBodyType0")



@_attrs_define
class ReplayBodyType0:
    """ 
        Attributes:
            since (datetime.datetime): Replay the webhook's events accepted since this time (RFC 3339).
            cursor (None | Unset):
            event_id (None | Unset):
     """

    since: datetime.datetime
    cursor: None | Unset = UNSET
    event_id: None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        since = self.since.isoformat()

        cursor = self.cursor

        event_id = self.event_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "since": since,
        })
        if cursor is not UNSET:
            field_dict["cursor"] = cursor
        if event_id is not UNSET:
            field_dict["event_id"] = event_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        since = datetime.datetime.fromisoformat(d.pop("since"))




        cursor = d.pop("cursor", UNSET)

        event_id = d.pop("event_id", UNSET)

        replay_body_type_0 = cls(
            since=since,
            cursor=cursor,
            event_id=event_id,
        )

        return replay_body_type_0


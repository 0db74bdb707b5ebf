from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="ReplayProgress")



@_attrs_define
class ReplayProgress:
    """ What a replay call did (also the `replay` of a PATCH that enabled a webhook again).

        Attributes:
            examined (int): Events of the client looked at.
            replayed (int): Of those, the ones this webhook wants: each is a delivery task again.
            cursor (None | str): Pass back as `cursor` to go on; `null` when the replay is complete.
     """

    examined: int
    replayed: int
    cursor: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        examined = self.examined

        replayed = self.replayed

        cursor: None | str
        cursor = self.cursor


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "examined": examined,
            "replayed": replayed,
            "cursor": cursor,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        examined = d.pop("examined")

        replayed = d.pop("replayed")

        def _parse_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        cursor = _parse_cursor(d.pop("cursor"))


        replay_progress = cls(
            examined=examined,
            replayed=replayed,
            cursor=cursor,
        )


        replay_progress.additional_properties = d
        return replay_progress

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

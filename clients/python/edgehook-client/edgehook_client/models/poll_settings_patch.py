from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="PollSettingsPatch")



@_attrs_define
class PollSettingsPatch:
    """ A merge patch of [`PollSettings`] (document only).

        Attributes:
            visibility_timeout_ms (int | None | Unset):
     """

    visibility_timeout_ms: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        visibility_timeout_ms: int | None | Unset
        if isinstance(self.visibility_timeout_ms, Unset):
            visibility_timeout_ms = UNSET
        else:
            visibility_timeout_ms = self.visibility_timeout_ms


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if visibility_timeout_ms is not UNSET:
            field_dict["visibility_timeout_ms"] = visibility_timeout_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_visibility_timeout_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        visibility_timeout_ms = _parse_visibility_timeout_ms(d.pop("visibility_timeout_ms", UNSET))


        poll_settings_patch = cls(
            visibility_timeout_ms=visibility_timeout_ms,
        )

        return poll_settings_patch


from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="PollSettings")



@_attrs_define
class PollSettings:
    """ A poll webhook's settings.

        Attributes:
            visibility_timeout_ms (int | Unset): How long a polled delivery stays invisible to other polls: not acknowledged
                by then, it
                is polled again (a new attempt). 1 s to 12 h, default 30 s. Default: 30000.
     """

    visibility_timeout_ms: int | Unset = 30000





    def to_dict(self) -> dict[str, Any]:
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
        visibility_timeout_ms = d.pop("visibility_timeout_ms", UNSET)

        poll_settings = cls(
            visibility_timeout_ms=visibility_timeout_ms,
        )

        return poll_settings


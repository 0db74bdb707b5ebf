from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="RateLimit")



@_attrs_define
class RateLimit:
    """ How fast the relays may call the endpoint, shared by a region's relays.

        Attributes:
            requests_per_minute (int | Unset): At least 1 (default 60,000: 1,000 a second). Default: 60000.
     """

    requests_per_minute: int | Unset = 60000





    def to_dict(self) -> dict[str, Any]:
        requests_per_minute = self.requests_per_minute


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if requests_per_minute is not UNSET:
            field_dict["requests_per_minute"] = requests_per_minute

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        requests_per_minute = d.pop("requests_per_minute", UNSET)

        rate_limit = cls(
            requests_per_minute=requests_per_minute,
        )

        return rate_limit


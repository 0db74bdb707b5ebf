from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="AckRequest")



@_attrs_define
class AckRequest:
    """ 
        Attributes:
            ack_ids (list[str]): The `ack_id`s of deliveries polled from this webhook, 1 to 100.
     """

    ack_ids: list[str]





    def to_dict(self) -> dict[str, Any]:
        ack_ids = self.ack_ids




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "ack_ids": ack_ids,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ack_ids = cast(list[str], d.pop("ack_ids"))


        ack_request = cls(
            ack_ids=ack_ids,
        )

        return ack_request


from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Replication")



@_attrs_define
class Replication:
    """ 
        Attributes:
            lag (int): Delivery tasks at the hub not yet copied into the region.
            pending (int): Delivery tasks the region holds, not yet delivered.
            last_active_ms (int | None | Unset): Milliseconds since the region last received from the hub.
     """

    lag: int
    pending: int
    last_active_ms: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        lag = self.lag

        pending = self.pending

        last_active_ms: int | None | Unset
        if isinstance(self.last_active_ms, Unset):
            last_active_ms = UNSET
        else:
            last_active_ms = self.last_active_ms


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "lag": lag,
            "pending": pending,
        })
        if last_active_ms is not UNSET:
            field_dict["last_active_ms"] = last_active_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        lag = d.pop("lag")

        pending = d.pop("pending")

        def _parse_last_active_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_active_ms = _parse_last_active_ms(d.pop("last_active_ms", UNSET))


        replication = cls(
            lag=lag,
            pending=pending,
            last_active_ms=last_active_ms,
        )


        replication.additional_properties = d
        return replication

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

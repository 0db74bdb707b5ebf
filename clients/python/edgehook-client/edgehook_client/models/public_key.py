from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.key_status import KeyStatus
from typing import cast
import datetime






T = TypeVar("T", bound="PublicKey")



@_attrs_define
class PublicKey:
    """ 
        Attributes:
            public_key (str): A `whpk_` Ed25519 public key.
            status (KeyStatus): `current` signs every delivery; `retiring` beside it until `retires_at`.
            retires_at (datetime.datetime | None): When a retiring key stops signing; `null` for the current one.
     """

    public_key: str
    status: KeyStatus
    retires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        public_key = self.public_key

        status = self.status.value

        retires_at: None | str
        if isinstance(self.retires_at, datetime.datetime):
            retires_at = self.retires_at.isoformat()
        else:
            retires_at = self.retires_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "public_key": public_key,
            "status": status,
            "retires_at": retires_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        public_key = d.pop("public_key")

        status = KeyStatus(d.pop("status"))




        def _parse_retires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                retires_at_type_0 = datetime.datetime.fromisoformat(data)



                return retires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        retires_at = _parse_retires_at(d.pop("retires_at"))


        public_key = cls(
            public_key=public_key,
            status=status,
            retires_at=retires_at,
        )


        public_key.additional_properties = d
        return public_key

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.scheme import Scheme
from typing import cast

if TYPE_CHECKING:
  from ..models.public_key import PublicKey





T = TypeVar("T", bound="PublicKeys")



@_attrs_define
class PublicKeys:
    """ 
        Attributes:
            signature (Scheme): How a webhook's deliveries are signed.
            public_keys (list[PublicKey]): The current key (Ed25519 webhooks), then those retiring; never empty.
     """

    signature: Scheme
    public_keys: list[PublicKey]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.public_key import PublicKey # noqa: PLC0415
        signature = self.signature.value

        public_keys = []
        for public_keys_item_data in self.public_keys:
            public_keys_item = public_keys_item_data.to_dict()
            public_keys.append(public_keys_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "signature": signature,
            "public_keys": public_keys,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.public_key import PublicKey # noqa: PLC0415
        d = dict(src_dict)
        signature = Scheme(d.pop("signature"))




        public_keys = []
        _public_keys = d.pop("public_keys")
        for public_keys_item_data in (_public_keys):
            public_keys_item = PublicKey.from_dict(public_keys_item_data)



            public_keys.append(public_keys_item)


        public_keys = cls(
            signature=signature,
            public_keys=public_keys,
        )


        public_keys.additional_properties = d
        return public_keys

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

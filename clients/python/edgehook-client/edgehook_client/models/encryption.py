from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.encryption_jwk import EncryptionJwk





T = TypeVar("T", bound="Encryption")



@_attrs_define
class Encryption:
    """ Deliveries encrypted to the client's key (see `edgehook_security::jwe`): the whole payload, or only
    the listed fields of `data` (dots reach nested fields).

        Attributes:
            jwk (EncryptionJwk): The client's public JWK: RSA (2048+ bits, RSA-OAEP-256) or OKP X25519 (ECDH-ES); never a
                private key.
            fields (list[str] | Unset): Fields of `data` to encrypt (dots reach nested ones), at most 50; empty: the whole
                payload.
     """

    jwk: EncryptionJwk
    fields: list[str] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.encryption_jwk import EncryptionJwk # noqa: PLC0415
        jwk = self.jwk.to_dict()

        fields: list[str] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = self.fields




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "jwk": jwk,
        })
        if fields is not UNSET:
            field_dict["fields"] = fields

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.encryption_jwk import EncryptionJwk # noqa: PLC0415
        d = dict(src_dict)
        jwk = EncryptionJwk.from_dict(d.pop("jwk"))




        fields = cast(list[str], d.pop("fields", UNSET))


        encryption = cls(
            jwk=jwk,
            fields=fields,
        )

        return encryption


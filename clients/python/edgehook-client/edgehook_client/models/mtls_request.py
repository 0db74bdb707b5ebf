from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="MtlsRequest")



@_attrs_define
class MtlsRequest:
    """ A client certificate the relay presents to this endpoint (mutual TLS).

        Attributes:
            certificate_pem (str): The client certificate in PEM, optionally followed by its intermediates.
            private_key_pem (str): Its private key in PEM (PKCS#8, PKCS#1 or SEC1); sealed at rest, never shown again.
            ca_pem (None | str | Unset): CA certificates (PEM) the endpoint's server certificate must chain to, instead of
                the
                usual public roots.
     """

    certificate_pem: str
    private_key_pem: str
    ca_pem: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        certificate_pem = self.certificate_pem

        private_key_pem = self.private_key_pem

        ca_pem: None | str | Unset
        if isinstance(self.ca_pem, Unset):
            ca_pem = UNSET
        else:
            ca_pem = self.ca_pem


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "certificate_pem": certificate_pem,
            "private_key_pem": private_key_pem,
        })
        if ca_pem is not UNSET:
            field_dict["ca_pem"] = ca_pem

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        certificate_pem = d.pop("certificate_pem")

        private_key_pem = d.pop("private_key_pem")

        def _parse_ca_pem(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ca_pem = _parse_ca_pem(d.pop("ca_pem", UNSET))


        mtls_request = cls(
            certificate_pem=certificate_pem,
            private_key_pem=private_key_pem,
            ca_pem=ca_pem,
        )

        return mtls_request


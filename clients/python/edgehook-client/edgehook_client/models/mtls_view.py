from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime






T = TypeVar("T", bound="MtlsView")



@_attrs_define
class MtlsView:
    """ 
        Attributes:
            subject (str): The client certificate's subject, e.g. `CN=relay.example.com,O=Example`.
            not_after (datetime.datetime): When the client certificate expires.
            custom_ca (bool): Whether the endpoint's certificate is checked against a CA of the webhook's own.
     """

    subject: str
    not_after: datetime.datetime
    custom_ca: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        not_after = self.not_after.isoformat()

        custom_ca = self.custom_ca


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "subject": subject,
            "not_after": not_after,
            "custom_ca": custom_ca,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subject = d.pop("subject")

        not_after = datetime.datetime.fromisoformat(d.pop("not_after"))




        custom_ca = d.pop("custom_ca")

        mtls_view = cls(
            subject=subject,
            not_after=not_after,
            custom_ca=custom_ca,
        )


        mtls_view.additional_properties = d
        return mtls_view

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

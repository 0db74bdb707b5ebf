from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.mtls_view import MtlsView
  from ..models.o_auth_2_view import OAuth2View





T = TypeVar("T", bound="EndpointAuthView")



@_attrs_define
class EndpointAuthView:
    """ What answers show of `auth`: no secret, sealed or not.

        Attributes:
            headers (list[str]): The static headers' names (their values are never shown).
            oauth2 (OAuth2View | Unset):
            mtls (MtlsView | Unset):
     """

    headers: list[str]
    oauth2: OAuth2View | Unset = UNSET
    mtls: MtlsView | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.mtls_view import MtlsView # noqa: PLC0415
        from ..models.o_auth_2_view import OAuth2View # noqa: PLC0415
        headers = self.headers



        oauth2: dict[str, Any] | Unset = UNSET
        if not isinstance(self.oauth2, Unset):
            oauth2 = self.oauth2.to_dict()

        mtls: dict[str, Any] | Unset = UNSET
        if not isinstance(self.mtls, Unset):
            mtls = self.mtls.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "headers": headers,
        })
        if oauth2 is not UNSET:
            field_dict["oauth2"] = oauth2
        if mtls is not UNSET:
            field_dict["mtls"] = mtls

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mtls_view import MtlsView # noqa: PLC0415
        from ..models.o_auth_2_view import OAuth2View # noqa: PLC0415
        d = dict(src_dict)
        headers = cast(list[str], d.pop("headers"))


        _oauth2 = d.pop("oauth2", UNSET)
        oauth2: OAuth2View | Unset
        if isinstance(_oauth2,  Unset):
            oauth2 = UNSET
        else:
            oauth2 = OAuth2View.from_dict(_oauth2)




        _mtls = d.pop("mtls", UNSET)
        mtls: MtlsView | Unset
        if isinstance(_mtls,  Unset):
            mtls = UNSET
        else:
            mtls = MtlsView.from_dict(_mtls)




        endpoint_auth_view = cls(
            headers=headers,
            oauth2=oauth2,
            mtls=mtls,
        )


        endpoint_auth_view.additional_properties = d
        return endpoint_auth_view

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

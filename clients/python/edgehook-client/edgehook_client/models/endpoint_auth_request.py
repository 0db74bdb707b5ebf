from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.endpoint_auth_request_headers import EndpointAuthRequestHeaders
  from ..models.mtls_request import MtlsRequest
  from ..models.o_auth_2_request import OAuth2Request





T = TypeVar("T", bound="EndpointAuthRequest")



@_attrs_define
class EndpointAuthRequest:
    """ How the relay authenticates to the endpoint: static `headers`, OAuth2 client credentials
    (`oauth2`), a client certificate (`mtls`). `headers` combine with either of the others;
    `oauth2` and `mtls` do not combine.

        Attributes:
            headers (EndpointAuthRequestHeaders | Unset): Static headers sent with every delivery, by name (at most 20;
                values visible ASCII,
                at most 4,096 bytes). Not the ones edgehook sets (`content-type`, `user-agent`,
                `webhook-*`, …). The values are sealed at rest and never shown again.
            oauth2 (None | OAuth2Request | Unset):
            mtls (MtlsRequest | None | Unset):
     """

    headers: EndpointAuthRequestHeaders | Unset = UNSET
    oauth2: None | OAuth2Request | Unset = UNSET
    mtls: MtlsRequest | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.endpoint_auth_request_headers import EndpointAuthRequestHeaders # noqa: PLC0415
        from ..models.mtls_request import MtlsRequest # noqa: PLC0415
        from ..models.o_auth_2_request import OAuth2Request # noqa: PLC0415
        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        oauth2: dict[str, Any] | None | Unset
        if isinstance(self.oauth2, Unset):
            oauth2 = UNSET
        elif isinstance(self.oauth2, OAuth2Request):
            oauth2 = self.oauth2.to_dict()
        else:
            oauth2 = self.oauth2

        mtls: dict[str, Any] | None | Unset
        if isinstance(self.mtls, Unset):
            mtls = UNSET
        elif isinstance(self.mtls, MtlsRequest):
            mtls = self.mtls.to_dict()
        else:
            mtls = self.mtls


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if headers is not UNSET:
            field_dict["headers"] = headers
        if oauth2 is not UNSET:
            field_dict["oauth2"] = oauth2
        if mtls is not UNSET:
            field_dict["mtls"] = mtls

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.endpoint_auth_request_headers import EndpointAuthRequestHeaders # noqa: PLC0415
        from ..models.mtls_request import MtlsRequest # noqa: PLC0415
        from ..models.o_auth_2_request import OAuth2Request # noqa: PLC0415
        d = dict(src_dict)
        _headers = d.pop("headers", UNSET)
        headers: EndpointAuthRequestHeaders | Unset
        if isinstance(_headers,  Unset):
            headers = UNSET
        else:
            headers = EndpointAuthRequestHeaders.from_dict(_headers)




        def _parse_oauth2(data: object) -> None | OAuth2Request | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                oauth2_type_1 = OAuth2Request.from_dict(data)



                return oauth2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OAuth2Request | Unset, data)

        oauth2 = _parse_oauth2(d.pop("oauth2", UNSET))


        def _parse_mtls(data: object) -> MtlsRequest | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mtls_type_1 = MtlsRequest.from_dict(data)



                return mtls_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MtlsRequest | None | Unset, data)

        mtls = _parse_mtls(d.pop("mtls", UNSET))


        endpoint_auth_request = cls(
            headers=headers,
            oauth2=oauth2,
            mtls=mtls,
        )

        return endpoint_auth_request


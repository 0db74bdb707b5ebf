from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="OAuth2Request")



@_attrs_define
class OAuth2Request:
    """ The OAuth2 client credentials grant (RFC 6749 §4.4): the relay POSTs
    `grant_type=client_credentials` (with `scope` and `audience` when given) to `token_url`,
    the client authenticated with HTTP Basic, and sends the token it gets as a bearer token.

        Attributes:
            token_url (str): The token endpoint: `https` (`http` only where the deployment allows it for callbacks),
                checked like a callback URL (it must resolve to addresses deliveries may reach).
            client_id (str):
            client_secret (str): Sealed at rest, never shown again.
            scope (None | str | Unset): Space-separated scopes to ask for.
            audience (None | str | Unset): The `audience` parameter some servers (Auth0, Okta) want.
     """

    token_url: str
    client_id: str
    client_secret: str
    scope: None | str | Unset = UNSET
    audience: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        token_url = self.token_url

        client_id = self.client_id

        client_secret = self.client_secret

        scope: None | str | Unset
        if isinstance(self.scope, Unset):
            scope = UNSET
        else:
            scope = self.scope

        audience: None | str | Unset
        if isinstance(self.audience, Unset):
            audience = UNSET
        else:
            audience = self.audience


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "token_url": token_url,
            "client_id": client_id,
            "client_secret": client_secret,
        })
        if scope is not UNSET:
            field_dict["scope"] = scope
        if audience is not UNSET:
            field_dict["audience"] = audience

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        token_url = d.pop("token_url")

        client_id = d.pop("client_id")

        client_secret = d.pop("client_secret")

        def _parse_scope(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope = _parse_scope(d.pop("scope", UNSET))


        def _parse_audience(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audience = _parse_audience(d.pop("audience", UNSET))


        o_auth_2_request = cls(
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            scope=scope,
            audience=audience,
        )

        return o_auth_2_request


from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="PortalSessionView")



@_attrs_define
class PortalSessionView:
    """ A portal session: whose it is, what it allows, and the token its changes carry.

        Attributes:
            client_id (str):
            client_name (str):
            read_only (bool): Nothing can be changed in this session.
            expires_at (datetime.datetime):
            csrf_token (str): Send it as `X-CSRF-Token` with every change (POST, PATCH, DELETE).
            webhooks (list[str] | None | Unset): The only webhooks it sees; null: all of the client's.
     """

    client_id: str
    client_name: str
    read_only: bool
    expires_at: datetime.datetime
    csrf_token: str
    webhooks: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_name = self.client_name

        read_only = self.read_only

        expires_at = self.expires_at.isoformat()

        csrf_token = self.csrf_token

        webhooks: list[str] | None | Unset
        if isinstance(self.webhooks, Unset):
            webhooks = UNSET
        elif isinstance(self.webhooks, list):
            webhooks = self.webhooks


        else:
            webhooks = self.webhooks


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "client_id": client_id,
            "client_name": client_name,
            "read_only": read_only,
            "expires_at": expires_at,
            "csrf_token": csrf_token,
        })
        if webhooks is not UNSET:
            field_dict["webhooks"] = webhooks

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        client_name = d.pop("client_name")

        read_only = d.pop("read_only")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))




        csrf_token = d.pop("csrf_token")

        def _parse_webhooks(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                webhooks_type_0 = cast(list[str], data)

                return webhooks_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        webhooks = _parse_webhooks(d.pop("webhooks", UNSET))


        portal_session_view = cls(
            client_id=client_id,
            client_name=client_name,
            read_only=read_only,
            expires_at=expires_at,
            csrf_token=csrf_token,
            webhooks=webhooks,
        )


        portal_session_view.additional_properties = d
        return portal_session_view

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

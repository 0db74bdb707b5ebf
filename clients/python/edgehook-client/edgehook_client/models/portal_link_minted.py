from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="PortalLinkMinted")



@_attrs_define
class PortalLinkMinted:
    """ A link just minted: the URL to send the customer to (once: the code in it opens one session).

        Attributes:
            id (str):
            client_id (str):
            read_only (bool):
            created_at (datetime.datetime):
            link_expires_at (datetime.datetime): Not opened by then, it is refused.
            session_ttl_seconds (int):
            url (str): `<public URL>/portal/#code=<code>`: open it in a browser or an iframe.
            code (str): The one-time code in `url`, for a page that builds its own.
            webhooks (list[str] | None | Unset):
            opened_at (datetime.datetime | None | Unset): When it was opened; null while it is not.
            session_expires_at (datetime.datetime | None | Unset): When the session it became ends; null while it is not
                opened.
     """

    id: str
    client_id: str
    read_only: bool
    created_at: datetime.datetime
    link_expires_at: datetime.datetime
    session_ttl_seconds: int
    url: str
    code: str
    webhooks: list[str] | None | Unset = UNSET
    opened_at: datetime.datetime | None | Unset = UNSET
    session_expires_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        client_id = self.client_id

        read_only = self.read_only

        created_at = self.created_at.isoformat()

        link_expires_at = self.link_expires_at.isoformat()

        session_ttl_seconds = self.session_ttl_seconds

        url = self.url

        code = self.code

        webhooks: list[str] | None | Unset
        if isinstance(self.webhooks, Unset):
            webhooks = UNSET
        elif isinstance(self.webhooks, list):
            webhooks = self.webhooks


        else:
            webhooks = self.webhooks

        opened_at: None | str | Unset
        if isinstance(self.opened_at, Unset):
            opened_at = UNSET
        elif isinstance(self.opened_at, datetime.datetime):
            opened_at = self.opened_at.isoformat()
        else:
            opened_at = self.opened_at

        session_expires_at: None | str | Unset
        if isinstance(self.session_expires_at, Unset):
            session_expires_at = UNSET
        elif isinstance(self.session_expires_at, datetime.datetime):
            session_expires_at = self.session_expires_at.isoformat()
        else:
            session_expires_at = self.session_expires_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "client_id": client_id,
            "read_only": read_only,
            "created_at": created_at,
            "link_expires_at": link_expires_at,
            "session_ttl_seconds": session_ttl_seconds,
            "url": url,
            "code": code,
        })
        if webhooks is not UNSET:
            field_dict["webhooks"] = webhooks
        if opened_at is not UNSET:
            field_dict["opened_at"] = opened_at
        if session_expires_at is not UNSET:
            field_dict["session_expires_at"] = session_expires_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        client_id = d.pop("client_id")

        read_only = d.pop("read_only")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        link_expires_at = datetime.datetime.fromisoformat(d.pop("link_expires_at"))




        session_ttl_seconds = d.pop("session_ttl_seconds")

        url = d.pop("url")

        code = d.pop("code")

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


        def _parse_opened_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                opened_at_type_0 = datetime.datetime.fromisoformat(data)



                return opened_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        opened_at = _parse_opened_at(d.pop("opened_at", UNSET))


        def _parse_session_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                session_expires_at_type_0 = datetime.datetime.fromisoformat(data)



                return session_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        session_expires_at = _parse_session_expires_at(d.pop("session_expires_at", UNSET))


        portal_link_minted = cls(
            id=id,
            client_id=client_id,
            read_only=read_only,
            created_at=created_at,
            link_expires_at=link_expires_at,
            session_ttl_seconds=session_ttl_seconds,
            url=url,
            code=code,
            webhooks=webhooks,
            opened_at=opened_at,
            session_expires_at=session_expires_at,
        )


        portal_link_minted.additional_properties = d
        return portal_link_minted

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="PortalLinkFields")



@_attrs_define
class PortalLinkFields:
    """ What a link allows (every field optional).

        Attributes:
            read_only (bool | Unset): Nothing can be changed through it (default false).
            webhooks (list[str] | None | Unset): The only webhooks of the client it shows (1 to 100); absent or null: all of
                them.
            session_ttl_seconds (int | None | Unset): How long the session lasts once the link is opened, 1 to 86,400 s
                (default 3,600).
            link_ttl_seconds (int | None | Unset): How long the link may wait to be opened, 1 to 3,600 s (default 900).
     """

    read_only: bool | Unset = UNSET
    webhooks: list[str] | None | Unset = UNSET
    session_ttl_seconds: int | None | Unset = UNSET
    link_ttl_seconds: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        read_only = self.read_only

        webhooks: list[str] | None | Unset
        if isinstance(self.webhooks, Unset):
            webhooks = UNSET
        elif isinstance(self.webhooks, list):
            webhooks = self.webhooks


        else:
            webhooks = self.webhooks

        session_ttl_seconds: int | None | Unset
        if isinstance(self.session_ttl_seconds, Unset):
            session_ttl_seconds = UNSET
        else:
            session_ttl_seconds = self.session_ttl_seconds

        link_ttl_seconds: int | None | Unset
        if isinstance(self.link_ttl_seconds, Unset):
            link_ttl_seconds = UNSET
        else:
            link_ttl_seconds = self.link_ttl_seconds


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if read_only is not UNSET:
            field_dict["read_only"] = read_only
        if webhooks is not UNSET:
            field_dict["webhooks"] = webhooks
        if session_ttl_seconds is not UNSET:
            field_dict["session_ttl_seconds"] = session_ttl_seconds
        if link_ttl_seconds is not UNSET:
            field_dict["link_ttl_seconds"] = link_ttl_seconds

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        read_only = d.pop("read_only", UNSET)

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


        def _parse_session_ttl_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        session_ttl_seconds = _parse_session_ttl_seconds(d.pop("session_ttl_seconds", UNSET))


        def _parse_link_ttl_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        link_ttl_seconds = _parse_link_ttl_seconds(d.pop("link_ttl_seconds", UNSET))


        portal_link_fields = cls(
            read_only=read_only,
            webhooks=webhooks,
            session_ttl_seconds=session_ttl_seconds,
            link_ttl_seconds=link_ttl_seconds,
        )

        return portal_link_fields


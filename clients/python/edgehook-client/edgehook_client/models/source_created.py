from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime






T = TypeVar("T", bound="SourceCreated")



@_attrs_define
class SourceCreated:
    """ 
        Attributes:
            source_id (str):
            name (str):
            allowed_event_types (list[str]):
            allowed_ips (list[str]):
            max_events_per_second (int):
            api_key (str): `Authorization: Bearer <api_key>` on ingest requests.
            signing_secret (str): Key of the `X-Source-Signature` HMAC.
            nats_subject (str): Where the source may also publish events over NATS (request/reply), logged in with its
                API key as the token.
            nats_inbox_prefix (str): The inbox prefix its NATS client must use to get replies (the only one it may read).
            created_at (datetime.datetime):
     """

    source_id: str
    name: str
    allowed_event_types: list[str]
    allowed_ips: list[str]
    max_events_per_second: int
    api_key: str
    signing_secret: str
    nats_subject: str
    nats_inbox_prefix: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        source_id = self.source_id

        name = self.name

        allowed_event_types = self.allowed_event_types



        allowed_ips = self.allowed_ips



        max_events_per_second = self.max_events_per_second

        api_key = self.api_key

        signing_secret = self.signing_secret

        nats_subject = self.nats_subject

        nats_inbox_prefix = self.nats_inbox_prefix

        created_at = self.created_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "source_id": source_id,
            "name": name,
            "allowed_event_types": allowed_event_types,
            "allowed_ips": allowed_ips,
            "max_events_per_second": max_events_per_second,
            "api_key": api_key,
            "signing_secret": signing_secret,
            "nats_subject": nats_subject,
            "nats_inbox_prefix": nats_inbox_prefix,
            "created_at": created_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        source_id = d.pop("source_id")

        name = d.pop("name")

        allowed_event_types = cast(list[str], d.pop("allowed_event_types"))


        allowed_ips = cast(list[str], d.pop("allowed_ips"))


        max_events_per_second = d.pop("max_events_per_second")

        api_key = d.pop("api_key")

        signing_secret = d.pop("signing_secret")

        nats_subject = d.pop("nats_subject")

        nats_inbox_prefix = d.pop("nats_inbox_prefix")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        source_created = cls(
            source_id=source_id,
            name=name,
            allowed_event_types=allowed_event_types,
            allowed_ips=allowed_ips,
            max_events_per_second=max_events_per_second,
            api_key=api_key,
            signing_secret=signing_secret,
            nats_subject=nats_subject,
            nats_inbox_prefix=nats_inbox_prefix,
            created_at=created_at,
        )


        source_created.additional_properties = d
        return source_created

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

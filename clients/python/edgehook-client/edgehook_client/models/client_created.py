from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.retention import Retention





T = TypeVar("T", bound="ClientCreated")



@_attrs_define
class ClientCreated:
    """ A client just made, with its first bearer token.

        Attributes:
            client_id (str):
            name (str):
            created_at (datetime.datetime):
            retention (Retention): A client's own retention, in days; `None` is the deployment's.
            token (str): The client's bearer token (a JWT) for `Authorization: Bearer`.
     """

    client_id: str
    name: str
    created_at: datetime.datetime
    retention: Retention
    token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.retention import Retention # noqa: PLC0415
        client_id = self.client_id

        name = self.name

        created_at = self.created_at.isoformat()

        retention = self.retention.to_dict()

        token = self.token


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "client_id": client_id,
            "name": name,
            "created_at": created_at,
            "retention": retention,
            "token": token,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.retention import Retention # noqa: PLC0415
        d = dict(src_dict)
        client_id = d.pop("client_id")

        name = d.pop("name")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        retention = Retention.from_dict(d.pop("retention"))




        token = d.pop("token")

        client_created = cls(
            client_id=client_id,
            name=name,
            created_at=created_at,
            retention=retention,
            token=token,
        )


        client_created.additional_properties = d
        return client_created

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

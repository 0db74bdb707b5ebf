from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.retention import Retention





T = TypeVar("T", bound="ClientFields")



@_attrs_define
class ClientFields:
    """ What the admin sets, on create and (merged with the current values) on PATCH.

        Attributes:
            name (str): 1 to 200 characters, not only spaces.
            retention (Retention | Unset): A client's own retention, in days; `None` is the deployment's.
     """

    name: str
    retention: Retention | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.retention import Retention # noqa: PLC0415
        name = self.name

        retention: dict[str, Any] | Unset = UNSET
        if not isinstance(self.retention, Unset):
            retention = self.retention.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
        })
        if retention is not UNSET:
            field_dict["retention"] = retention

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.retention import Retention # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        _retention = d.pop("retention", UNSET)
        retention: Retention | Unset
        if isinstance(_retention,  Unset):
            retention = UNSET
        else:
            retention = Retention.from_dict(_retention)




        client_fields = cls(
            name=name,
            retention=retention,
        )

        return client_fields


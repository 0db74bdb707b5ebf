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





T = TypeVar("T", bound="ClientPatch")



@_attrs_define
class ClientPatch:
    """ A PATCH of a client: a JSON merge patch (RFC 7396) of [`ClientFields`] (in the document only;
    the handler merges the raw JSON).

        Attributes:
            name (None | str | Unset):
            retention (None | Retention | Unset):
     """

    name: None | str | Unset = UNSET
    retention: None | Retention | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.retention import Retention # noqa: PLC0415
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        retention: dict[str, Any] | None | Unset
        if isinstance(self.retention, Unset):
            retention = UNSET
        elif isinstance(self.retention, Retention):
            retention = self.retention.to_dict()
        else:
            retention = self.retention


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if name is not UNSET:
            field_dict["name"] = name
        if retention is not UNSET:
            field_dict["retention"] = retention

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.retention import Retention # noqa: PLC0415
        d = dict(src_dict)
        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_retention(data: object) -> None | Retention | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                retention_type_1 = Retention.from_dict(data)



                return retention_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Retention | Unset, data)

        retention = _parse_retention(d.pop("retention", UNSET))


        client_patch = cls(
            name=name,
            retention=retention,
        )

        return client_patch


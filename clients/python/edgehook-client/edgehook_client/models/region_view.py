from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.region_view_relays_item import RegionViewRelaysItem
  from ..models.replication import Replication





T = TypeVar("T", bound="RegionView")



@_attrs_define
class RegionView:
    """ 
        Attributes:
            name (str):
            domain (str):
            default (bool):
            reachable (bool):
            relays (list[RegionViewRelaysItem]): The relays that reported in lately: id, region, tiers, when.
            replication (None | Replication | Unset):
     """

    name: str
    domain: str
    default: bool
    reachable: bool
    relays: list[RegionViewRelaysItem]
    replication: None | Replication | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.region_view_relays_item import RegionViewRelaysItem # noqa: PLC0415
        from ..models.replication import Replication # noqa: PLC0415
        name = self.name

        domain = self.domain

        default = self.default

        reachable = self.reachable

        relays = []
        for relays_item_data in self.relays:
            relays_item = relays_item_data.to_dict()
            relays.append(relays_item)



        replication: dict[str, Any] | None | Unset
        if isinstance(self.replication, Unset):
            replication = UNSET
        elif isinstance(self.replication, Replication):
            replication = self.replication.to_dict()
        else:
            replication = self.replication


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
            "domain": domain,
            "default": default,
            "reachable": reachable,
            "relays": relays,
        })
        if replication is not UNSET:
            field_dict["replication"] = replication

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.region_view_relays_item import RegionViewRelaysItem # noqa: PLC0415
        from ..models.replication import Replication # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        domain = d.pop("domain")

        default = d.pop("default")

        reachable = d.pop("reachable")

        relays = []
        _relays = d.pop("relays")
        for relays_item_data in (_relays):
            relays_item = RegionViewRelaysItem.from_dict(relays_item_data)



            relays.append(relays_item)


        def _parse_replication(data: object) -> None | Replication | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                replication_type_1 = Replication.from_dict(data)



                return replication_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Replication | Unset, data)

        replication = _parse_replication(d.pop("replication", UNSET))


        region_view = cls(
            name=name,
            domain=domain,
            default=default,
            reachable=reachable,
            relays=relays,
            replication=replication,
        )


        region_view.additional_properties = d
        return region_view

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

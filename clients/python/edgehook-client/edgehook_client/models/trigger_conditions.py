from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.trigger_conditions_filters import TriggerConditionsFilters





T = TypeVar("T", bound="TriggerConditions")



@_attrs_define
class TriggerConditions:
    """ Which events, by the content of their `data`, a webhook wants.

        Attributes:
            filters (TriggerConditionsFilters | Unset): Every condition must hold: a key names a field of `data` (dots reach
                nested ones),
                optionally suffixed by an operator: `amount_gt`, `_gte`, `_lt`, `_lte` (a number),
                `currency_in` (a list of values), `currency_ne` (absent or different), none (equal).
     """

    filters: TriggerConditionsFilters | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.trigger_conditions_filters import TriggerConditionsFilters # noqa: PLC0415
        filters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.filters, Unset):
            filters = self.filters.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if filters is not UNSET:
            field_dict["filters"] = filters

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trigger_conditions_filters import TriggerConditionsFilters # noqa: PLC0415
        d = dict(src_dict)
        _filters = d.pop("filters", UNSET)
        filters: TriggerConditionsFilters | Unset
        if isinstance(_filters,  Unset):
            filters = UNSET
        else:
            filters = TriggerConditionsFilters.from_dict(_filters)




        trigger_conditions = cls(
            filters=filters,
        )

        return trigger_conditions


from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.trigger_conditions_patch_filters_type_0 import TriggerConditionsPatchFiltersType0





T = TypeVar("T", bound="TriggerConditionsPatch")



@_attrs_define
class TriggerConditionsPatch:
    """ A merge patch of [`TriggerConditions`] (document only): `filters` merges key by key, a
    `null` value removes that condition.

        Attributes:
            filters (None | TriggerConditionsPatchFiltersType0 | Unset):
     """

    filters: None | TriggerConditionsPatchFiltersType0 | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.trigger_conditions_patch_filters_type_0 import TriggerConditionsPatchFiltersType0 # noqa: PLC0415
        filters: dict[str, Any] | None | Unset
        if isinstance(self.filters, Unset):
            filters = UNSET
        elif isinstance(self.filters, TriggerConditionsPatchFiltersType0):
            filters = self.filters.to_dict()
        else:
            filters = self.filters


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if filters is not UNSET:
            field_dict["filters"] = filters

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trigger_conditions_patch_filters_type_0 import TriggerConditionsPatchFiltersType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_filters(data: object) -> None | TriggerConditionsPatchFiltersType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                filters_type_0 = TriggerConditionsPatchFiltersType0.from_dict(data)



                return filters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TriggerConditionsPatchFiltersType0 | Unset, data)

        filters = _parse_filters(d.pop("filters", UNSET))


        trigger_conditions_patch = cls(
            filters=filters,
        )

        return trigger_conditions_patch


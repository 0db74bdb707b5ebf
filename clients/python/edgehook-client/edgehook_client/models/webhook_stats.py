from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.window_stats import WindowStats





T = TypeVar("T", bound="WebhookStats")



@_attrs_define
class WebhookStats:
    """ 
        Attributes:
            webhook_id (str):
            last_hour (WindowStats): One webhook's attempts over a window: counts by outcome and latency percentiles
                (nearest rank; `None` without attempts).
            last_day (WindowStats): One webhook's attempts over a window: counts by outcome and latency percentiles
                (nearest rank; `None` without attempts).
     """

    webhook_id: str
    last_hour: WindowStats
    last_day: WindowStats
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.window_stats import WindowStats # noqa: PLC0415
        webhook_id = self.webhook_id

        last_hour = self.last_hour.to_dict()

        last_day = self.last_day.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "webhook_id": webhook_id,
            "last_hour": last_hour,
            "last_day": last_day,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.window_stats import WindowStats # noqa: PLC0415
        d = dict(src_dict)
        webhook_id = d.pop("webhook_id")

        last_hour = WindowStats.from_dict(d.pop("last_hour"))




        last_day = WindowStats.from_dict(d.pop("last_day"))




        webhook_stats = cls(
            webhook_id=webhook_id,
            last_hour=last_hour,
            last_day=last_day,
        )


        webhook_stats.additional_properties = d
        return webhook_stats

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

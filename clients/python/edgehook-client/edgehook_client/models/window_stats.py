from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.percentiles import Percentiles





T = TypeVar("T", bound="WindowStats")



@_attrs_define
class WindowStats:
    """ One webhook's attempts over a window: counts by outcome and latency percentiles
    (nearest rank; `None` without attempts).

        Attributes:
            attempts (int):
            succeeded (int):
            retrying (int):
            failed (int):
            success_ratio (float | None): `succeeded / attempts`; `None` without attempts.
            latency_ms (Percentiles): Attempt latency percentiles in milliseconds (nearest rank); `null` without attempts.
     """

    attempts: int
    succeeded: int
    retrying: int
    failed: int
    success_ratio: float | None
    latency_ms: Percentiles
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.percentiles import Percentiles # noqa: PLC0415
        attempts = self.attempts

        succeeded = self.succeeded

        retrying = self.retrying

        failed = self.failed

        success_ratio: float | None
        success_ratio = self.success_ratio

        latency_ms = self.latency_ms.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempts": attempts,
            "succeeded": succeeded,
            "retrying": retrying,
            "failed": failed,
            "success_ratio": success_ratio,
            "latency_ms": latency_ms,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.percentiles import Percentiles # noqa: PLC0415
        d = dict(src_dict)
        attempts = d.pop("attempts")

        succeeded = d.pop("succeeded")

        retrying = d.pop("retrying")

        failed = d.pop("failed")

        def _parse_success_ratio(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        success_ratio = _parse_success_ratio(d.pop("success_ratio"))


        latency_ms = Percentiles.from_dict(d.pop("latency_ms"))




        window_stats = cls(
            attempts=attempts,
            succeeded=succeeded,
            retrying=retrying,
            failed=failed,
            success_ratio=success_ratio,
            latency_ms=latency_ms,
        )


        window_stats.additional_properties = d
        return window_stats

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

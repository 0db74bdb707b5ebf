from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Retention")



@_attrs_define
class Retention:
    """ A client's own retention, in days; `None` is the deployment's.

        Attributes:
            attempt_days (int | None | Unset): Days a delivery attempt is kept (1 to 3650); absent: the deployment's.
            event_days (int | None | Unset): Days an event's payload is kept (1 to 3650); absent: the deployment's.
     """

    attempt_days: int | None | Unset = UNSET
    event_days: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        attempt_days: int | None | Unset
        if isinstance(self.attempt_days, Unset):
            attempt_days = UNSET
        else:
            attempt_days = self.attempt_days

        event_days: int | None | Unset
        if isinstance(self.event_days, Unset):
            event_days = UNSET
        else:
            event_days = self.event_days


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if attempt_days is not UNSET:
            field_dict["attempt_days"] = attempt_days
        if event_days is not UNSET:
            field_dict["event_days"] = event_days

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_attempt_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        attempt_days = _parse_attempt_days(d.pop("attempt_days", UNSET))


        def _parse_event_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        event_days = _parse_event_days(d.pop("event_days", UNSET))


        retention = cls(
            attempt_days=attempt_days,
            event_days=event_days,
        )

        return retention


from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="RetryConfig")



@_attrs_define
class RetryConfig:
    """ How a failed delivery is retried: `initial_delay_ms * backoff_multiplier^(n-1)`, capped.

        Attributes:
            max_retries (int | Unset): Retries after the first attempt, 0 to 50; 0 means one attempt only. Default: 10.
            initial_delay_ms (int | Unset): 10 ms to 24 h. Default: 5000.
            max_delay_ms (int | Unset): `initial_delay_ms` to 24 h. Default: 21600000.
            backoff_multiplier (float | Unset): 1.0 to 10.0. Default: 4.0.
     """

    max_retries: int | Unset = 10
    initial_delay_ms: int | Unset = 5000
    max_delay_ms: int | Unset = 21600000
    backoff_multiplier: float | Unset = 4.0





    def to_dict(self) -> dict[str, Any]:
        max_retries = self.max_retries

        initial_delay_ms = self.initial_delay_ms

        max_delay_ms = self.max_delay_ms

        backoff_multiplier = self.backoff_multiplier


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if max_retries is not UNSET:
            field_dict["max_retries"] = max_retries
        if initial_delay_ms is not UNSET:
            field_dict["initial_delay_ms"] = initial_delay_ms
        if max_delay_ms is not UNSET:
            field_dict["max_delay_ms"] = max_delay_ms
        if backoff_multiplier is not UNSET:
            field_dict["backoff_multiplier"] = backoff_multiplier

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        max_retries = d.pop("max_retries", UNSET)

        initial_delay_ms = d.pop("initial_delay_ms", UNSET)

        max_delay_ms = d.pop("max_delay_ms", UNSET)

        backoff_multiplier = d.pop("backoff_multiplier", UNSET)

        retry_config = cls(
            max_retries=max_retries,
            initial_delay_ms=initial_delay_ms,
            max_delay_ms=max_delay_ms,
            backoff_multiplier=backoff_multiplier,
        )

        return retry_config


from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RetryConfigPatch")



@_attrs_define
class RetryConfigPatch:
    """ A merge patch of [`RetryConfig`] (document only): `null` puts a setting back to its default.

        Attributes:
            max_retries (int | None | Unset):
            initial_delay_ms (int | None | Unset):
            max_delay_ms (int | None | Unset):
            backoff_multiplier (float | None | Unset):
     """

    max_retries: int | None | Unset = UNSET
    initial_delay_ms: int | None | Unset = UNSET
    max_delay_ms: int | None | Unset = UNSET
    backoff_multiplier: float | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        max_retries: int | None | Unset
        if isinstance(self.max_retries, Unset):
            max_retries = UNSET
        else:
            max_retries = self.max_retries

        initial_delay_ms: int | None | Unset
        if isinstance(self.initial_delay_ms, Unset):
            initial_delay_ms = UNSET
        else:
            initial_delay_ms = self.initial_delay_ms

        max_delay_ms: int | None | Unset
        if isinstance(self.max_delay_ms, Unset):
            max_delay_ms = UNSET
        else:
            max_delay_ms = self.max_delay_ms

        backoff_multiplier: float | None | Unset
        if isinstance(self.backoff_multiplier, Unset):
            backoff_multiplier = UNSET
        else:
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
        def _parse_max_retries(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_retries = _parse_max_retries(d.pop("max_retries", UNSET))


        def _parse_initial_delay_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        initial_delay_ms = _parse_initial_delay_ms(d.pop("initial_delay_ms", UNSET))


        def _parse_max_delay_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_delay_ms = _parse_max_delay_ms(d.pop("max_delay_ms", UNSET))


        def _parse_backoff_multiplier(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        backoff_multiplier = _parse_backoff_multiplier(d.pop("backoff_multiplier", UNSET))


        retry_config_patch = cls(
            max_retries=max_retries,
            initial_delay_ms=initial_delay_ms,
            max_delay_ms=max_delay_ms,
            backoff_multiplier=backoff_multiplier,
        )

        return retry_config_patch


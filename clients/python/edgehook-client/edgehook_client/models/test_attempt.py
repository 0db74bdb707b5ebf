from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TestAttempt")



@_attrs_define
class TestAttempt:
    """ The attempt, as the client sees it.

        Attributes:
            event_id (str): The event's id, also its `webhook-id` header.
            event_type (str):
            latency_ms (int):
            delivered (bool): A 2xx answer.
            status_code (int | None | Unset): `null` when no answer came (connection refused, timeout, refused address).
            response_body (None | str | Unset): The first 4 KiB of the answer's body (`null` without an answer).
            error (None | str | Unset):
     """

    event_id: str
    event_type: str
    latency_ms: int
    delivered: bool
    status_code: int | None | Unset = UNSET
    response_body: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        event_id = self.event_id

        event_type = self.event_type

        latency_ms = self.latency_ms

        delivered = self.delivered

        status_code: int | None | Unset
        if isinstance(self.status_code, Unset):
            status_code = UNSET
        else:
            status_code = self.status_code

        response_body: None | str | Unset
        if isinstance(self.response_body, Unset):
            response_body = UNSET
        else:
            response_body = self.response_body

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "event_id": event_id,
            "event_type": event_type,
            "latency_ms": latency_ms,
            "delivered": delivered,
        })
        if status_code is not UNSET:
            field_dict["status_code"] = status_code
        if response_body is not UNSET:
            field_dict["response_body"] = response_body
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        latency_ms = d.pop("latency_ms")

        delivered = d.pop("delivered")

        def _parse_status_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status_code = _parse_status_code(d.pop("status_code", UNSET))


        def _parse_response_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response_body = _parse_response_body(d.pop("response_body", UNSET))


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        test_attempt = cls(
            event_id=event_id,
            event_type=event_type,
            latency_ms=latency_ms,
            delivered=delivered,
            status_code=status_code,
            response_body=response_body,
            error=error,
        )


        test_attempt.additional_properties = d
        return test_attempt

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

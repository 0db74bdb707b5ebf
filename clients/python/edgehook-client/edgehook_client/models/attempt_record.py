from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.attempt_outcome import AttemptOutcome
from typing import cast
import datetime






T = TypeVar("T", bound="AttemptRecord")



@_attrs_define
class AttemptRecord:
    """ One attempt to deliver; a relay publishes a webhook's records in batches on
    `rgn.<region>.attempts.<client>.<webhook>` (`edgehook_nats::attempt_log`).

        Attributes:
            message_id (str):
            event_id (str):
            event_type (str):
            webhook_id (str):
            client_id (str):
            attempt (int): 1 for the first attempt.
            attempted_at (datetime.datetime):
            status_code (int | None): The endpoint's HTTP status; `null` when it did not answer.
            latency_ms (int):
            error (None | str): Why the attempt failed, when it did.
            outcome (AttemptOutcome):
            next_attempt_at (datetime.datetime | None): When the next attempt is due (`retrying` only).
            region (str): The region whose relay made the attempt.
     """

    message_id: str
    event_id: str
    event_type: str
    webhook_id: str
    client_id: str
    attempt: int
    attempted_at: datetime.datetime
    status_code: int | None
    latency_ms: int
    error: None | str
    outcome: AttemptOutcome
    next_attempt_at: datetime.datetime | None
    region: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        message_id = self.message_id

        event_id = self.event_id

        event_type = self.event_type

        webhook_id = self.webhook_id

        client_id = self.client_id

        attempt = self.attempt

        attempted_at = self.attempted_at.isoformat()

        status_code: int | None
        status_code = self.status_code

        latency_ms = self.latency_ms

        error: None | str
        error = self.error

        outcome = self.outcome.value

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        region = self.region


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "message_id": message_id,
            "event_id": event_id,
            "event_type": event_type,
            "webhook_id": webhook_id,
            "client_id": client_id,
            "attempt": attempt,
            "attempted_at": attempted_at,
            "status_code": status_code,
            "latency_ms": latency_ms,
            "error": error,
            "outcome": outcome,
            "next_attempt_at": next_attempt_at,
            "region": region,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message_id = d.pop("message_id")

        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        webhook_id = d.pop("webhook_id")

        client_id = d.pop("client_id")

        attempt = d.pop("attempt")

        attempted_at = datetime.datetime.fromisoformat(d.pop("attempted_at"))




        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("status_code"))


        latency_ms = d.pop("latency_ms")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))


        outcome = AttemptOutcome(d.pop("outcome"))




        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)



                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))


        region = d.pop("region")

        attempt_record = cls(
            message_id=message_id,
            event_id=event_id,
            event_type=event_type,
            webhook_id=webhook_id,
            client_id=client_id,
            attempt=attempt,
            attempted_at=attempted_at,
            status_code=status_code,
            latency_ms=latency_ms,
            error=error,
            outcome=outcome,
            next_attempt_at=next_attempt_at,
            region=region,
        )


        attempt_record.additional_properties = d
        return attempt_record

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

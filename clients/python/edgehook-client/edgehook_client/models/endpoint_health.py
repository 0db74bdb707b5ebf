from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.circuit_state import CircuitState
from typing import cast
import datetime






T = TypeVar("T", bound="EndpointHealth")



@_attrs_define
class EndpointHealth:
    """ 
        Attributes:
            webhook_id (str):
            region (str):
            effective_rate_per_second (float): Deliveries a second the relays allow themselves now: the webhook's
                `rate_limit`, cut
                while the endpoint is slow or failing, 0 while its circuit is open or it asked to wait.
            configured_rate_per_second (float): The webhook's own limit, for comparison.
            circuit (CircuitState):
            failure_ratio (float): Share of recent attempts that failed (exponentially weighted).
            latency_ms (float): Recent attempt latency (exponentially weighted), in milliseconds.
            paused_until (datetime.datetime | None): Until when the endpoint asked not to be called (`Retry-After` on a 429
                or 503).
            failing_since (datetime.datetime | None): Since when every attempt failed (`None`: the last one succeeded).
            updated_at (datetime.datetime):
     """

    webhook_id: str
    region: str
    effective_rate_per_second: float
    configured_rate_per_second: float
    circuit: CircuitState
    failure_ratio: float
    latency_ms: float
    paused_until: datetime.datetime | None
    failing_since: datetime.datetime | None
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        webhook_id = self.webhook_id

        region = self.region

        effective_rate_per_second = self.effective_rate_per_second

        configured_rate_per_second = self.configured_rate_per_second

        circuit = self.circuit.value

        failure_ratio = self.failure_ratio

        latency_ms = self.latency_ms

        paused_until: None | str
        if isinstance(self.paused_until, datetime.datetime):
            paused_until = self.paused_until.isoformat()
        else:
            paused_until = self.paused_until

        failing_since: None | str
        if isinstance(self.failing_since, datetime.datetime):
            failing_since = self.failing_since.isoformat()
        else:
            failing_since = self.failing_since

        updated_at = self.updated_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "webhook_id": webhook_id,
            "region": region,
            "effective_rate_per_second": effective_rate_per_second,
            "configured_rate_per_second": configured_rate_per_second,
            "circuit": circuit,
            "failure_ratio": failure_ratio,
            "latency_ms": latency_ms,
            "paused_until": paused_until,
            "failing_since": failing_since,
            "updated_at": updated_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        webhook_id = d.pop("webhook_id")

        region = d.pop("region")

        effective_rate_per_second = d.pop("effective_rate_per_second")

        configured_rate_per_second = d.pop("configured_rate_per_second")

        circuit = CircuitState(d.pop("circuit"))




        failure_ratio = d.pop("failure_ratio")

        latency_ms = d.pop("latency_ms")

        def _parse_paused_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paused_until_type_0 = datetime.datetime.fromisoformat(data)



                return paused_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        paused_until = _parse_paused_until(d.pop("paused_until"))


        def _parse_failing_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failing_since_type_0 = datetime.datetime.fromisoformat(data)



                return failing_since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        failing_since = _parse_failing_since(d.pop("failing_since"))


        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        endpoint_health = cls(
            webhook_id=webhook_id,
            region=region,
            effective_rate_per_second=effective_rate_per_second,
            configured_rate_per_second=configured_rate_per_second,
            circuit=circuit,
            failure_ratio=failure_ratio,
            latency_ms=latency_ms,
            paused_until=paused_until,
            failing_since=failing_since,
            updated_at=updated_at,
        )


        endpoint_health.additional_properties = d
        return endpoint_health

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.test_request_data_type_0 import TestRequestDataType0





T = TypeVar("T", bound="TestRequest")



@_attrs_define
class TestRequest:
    """ 
        Attributes:
            event_type (None | str | Unset):
            data (None | TestRequestDataType0 | Unset): The event's data (a JSON object); checked against the type's schema.
     """

    event_type: None | str | Unset = UNSET
    data: None | TestRequestDataType0 | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.test_request_data_type_0 import TestRequestDataType0 # noqa: PLC0415
        event_type: None | str | Unset
        if isinstance(self.event_type, Unset):
            event_type = UNSET
        else:
            event_type = self.event_type

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, TestRequestDataType0):
            data = self.data.to_dict()
        else:
            data = self.data


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if event_type is not UNSET:
            field_dict["event_type"] = event_type
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.test_request_data_type_0 import TestRequestDataType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_event_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_type = _parse_event_type(d.pop("event_type", UNSET))


        def _parse_data(data: object) -> None | TestRequestDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = TestRequestDataType0.from_dict(data)



                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TestRequestDataType0 | Unset, data)

        data = _parse_data(d.pop("data", UNSET))


        test_request = cls(
            event_type=event_type,
            data=data,
        )

        return test_request


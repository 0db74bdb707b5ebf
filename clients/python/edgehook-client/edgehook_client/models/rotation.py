from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.scheme import Scheme
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Rotation")



@_attrs_define
class Rotation:
    """ A rotation's settings (the body is optional: none keeps the scheme, with a 24 h overlap).

        Attributes:
            overlap_seconds (int | None | Unset): How long the replaced key keeps signing, 0 to 604,800 s (7 days; default
                86,400: 24 h);
                0 retires it now.
            signature (None | Scheme | Unset):
     """

    overlap_seconds: int | None | Unset = UNSET
    signature: None | Scheme | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        overlap_seconds: int | None | Unset
        if isinstance(self.overlap_seconds, Unset):
            overlap_seconds = UNSET
        else:
            overlap_seconds = self.overlap_seconds

        signature: None | str | Unset
        if isinstance(self.signature, Unset):
            signature = UNSET
        elif isinstance(self.signature, Scheme):
            signature = self.signature.value
        else:
            signature = self.signature


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if overlap_seconds is not UNSET:
            field_dict["overlap_seconds"] = overlap_seconds
        if signature is not UNSET:
            field_dict["signature"] = signature

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_overlap_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        overlap_seconds = _parse_overlap_seconds(d.pop("overlap_seconds", UNSET))


        def _parse_signature(data: object) -> None | Scheme | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signature_type_1 = Scheme(data)



                return signature_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Scheme | Unset, data)

        signature = _parse_signature(d.pop("signature", UNSET))


        rotation = cls(
            overlap_seconds=overlap_seconds,
            signature=signature,
        )

        return rotation


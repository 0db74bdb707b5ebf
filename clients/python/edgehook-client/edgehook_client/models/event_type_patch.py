from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.event_type_patch_examples_type_0_item import EventTypePatchExamplesType0Item





T = TypeVar("T", bound="EventTypePatch")



@_attrs_define
class EventTypePatch:
    """ A PATCH of an event type: a JSON merge patch of [`EventTypeFields`], except that `schema`
    replaces the stored schema whole (`null` removes it); the name cannot change (in the
    document only; the handler merges the raw JSON).

        Attributes:
            name (None | str | Unset):
            description (None | str | Unset):
            schema (Any | Unset):
            examples (list[EventTypePatchExamplesType0Item] | None | Unset):
            deprecated (bool | None | Unset):
     """

    name: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    schema: Any | Unset = UNSET
    examples: list[EventTypePatchExamplesType0Item] | None | Unset = UNSET
    deprecated: bool | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.event_type_patch_examples_type_0_item import EventTypePatchExamplesType0Item # noqa: PLC0415
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        schema = self.schema

        examples: list[dict[str, Any]] | None | Unset
        if isinstance(self.examples, Unset):
            examples = UNSET
        elif isinstance(self.examples, list):
            examples = []
            for examples_type_0_item_data in self.examples:
                examples_type_0_item = examples_type_0_item_data.to_dict()
                examples.append(examples_type_0_item)


        else:
            examples = self.examples

        deprecated: bool | None | Unset
        if isinstance(self.deprecated, Unset):
            deprecated = UNSET
        else:
            deprecated = self.deprecated


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if schema is not UNSET:
            field_dict["schema"] = schema
        if examples is not UNSET:
            field_dict["examples"] = examples
        if deprecated is not UNSET:
            field_dict["deprecated"] = deprecated

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_type_patch_examples_type_0_item import EventTypePatchExamplesType0Item # noqa: PLC0415
        d = dict(src_dict)
        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        schema = d.pop("schema", UNSET)

        def _parse_examples(data: object) -> list[EventTypePatchExamplesType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                examples_type_0 = []
                _examples_type_0 = data
                for examples_type_0_item_data in (_examples_type_0):
                    examples_type_0_item = EventTypePatchExamplesType0Item.from_dict(examples_type_0_item_data)



                    examples_type_0.append(examples_type_0_item)

                return examples_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EventTypePatchExamplesType0Item] | None | Unset, data)

        examples = _parse_examples(d.pop("examples", UNSET))


        def _parse_deprecated(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        deprecated = _parse_deprecated(d.pop("deprecated", UNSET))


        event_type_patch = cls(
            name=name,
            description=description,
            schema=schema,
            examples=examples,
            deprecated=deprecated,
        )

        return event_type_patch


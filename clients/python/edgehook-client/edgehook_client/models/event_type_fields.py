from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.event_type_fields_examples_item import EventTypeFieldsExamplesItem





T = TypeVar("T", bound="EventTypeFields")



@_attrs_define
class EventTypeFields:
    """ What an admin sets, on create and (merged with the current values) on PATCH.

        Attributes:
            name (str):
            description (str | Unset): At most 1,024 bytes.
            schema (Any | Unset): A JSON Schema (draft 2020-12) every event's `data` of this type must match.
            examples (list[EventTypeFieldsExamplesItem] | Unset): Up to 20 examples of `data` (JSON objects), each matching
                the schema; the first is what
                a test send delivers when given no data.
            deprecated (bool | Unset): Informational: ingest still accepts the type.
     """

    name: str
    description: str | Unset = UNSET
    schema: Any | Unset = UNSET
    examples: list[EventTypeFieldsExamplesItem] | Unset = UNSET
    deprecated: bool | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.event_type_fields_examples_item import EventTypeFieldsExamplesItem # noqa: PLC0415
        name = self.name

        description = self.description

        schema = self.schema

        examples: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.examples, Unset):
            examples = []
            for examples_item_data in self.examples:
                examples_item = examples_item_data.to_dict()
                examples.append(examples_item)



        deprecated = self.deprecated


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
        })
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
        from ..models.event_type_fields_examples_item import EventTypeFieldsExamplesItem # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description", UNSET)

        schema = d.pop("schema", UNSET)

        _examples = d.pop("examples", UNSET)
        examples: list[EventTypeFieldsExamplesItem] | Unset = UNSET
        if _examples is not UNSET:
            examples = []
            for examples_item_data in _examples:
                examples_item = EventTypeFieldsExamplesItem.from_dict(examples_item_data)



                examples.append(examples_item)


        deprecated = d.pop("deprecated", UNSET)

        event_type_fields = cls(
            name=name,
            description=description,
            schema=schema,
            examples=examples,
            deprecated=deprecated,
        )

        return event_type_fields


from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.event_type_view_examples_item import EventTypeViewExamplesItem





T = TypeVar("T", bound="EventTypeView")



@_attrs_define
class EventTypeView:
    """ A type as the API shows it.

        Attributes:
            name (str):
            group (str): The word before the first dot.
            description (str):
            examples (list[EventTypeViewExamplesItem]):
            deprecated (bool):
            version (int):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
            schema (Any | Unset): The schema, or `null`.
     """

    name: str
    group: str
    description: str
    examples: list[EventTypeViewExamplesItem]
    deprecated: bool
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    schema: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.event_type_view_examples_item import EventTypeViewExamplesItem # noqa: PLC0415
        name = self.name

        group = self.group

        description = self.description

        examples = []
        for examples_item_data in self.examples:
            examples_item = examples_item_data.to_dict()
            examples.append(examples_item)



        deprecated = self.deprecated

        version = self.version

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        schema = self.schema


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
            "group": group,
            "description": description,
            "examples": examples,
            "deprecated": deprecated,
            "version": version,
            "created_at": created_at,
            "updated_at": updated_at,
        })
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_type_view_examples_item import EventTypeViewExamplesItem # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        group = d.pop("group")

        description = d.pop("description")

        examples = []
        _examples = d.pop("examples")
        for examples_item_data in (_examples):
            examples_item = EventTypeViewExamplesItem.from_dict(examples_item_data)



            examples.append(examples_item)


        deprecated = d.pop("deprecated")

        version = d.pop("version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        schema = d.pop("schema", UNSET)

        event_type_view = cls(
            name=name,
            group=group,
            description=description,
            examples=examples,
            deprecated=deprecated,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
            schema=schema,
        )


        event_type_view.additional_properties = d
        return event_type_view

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

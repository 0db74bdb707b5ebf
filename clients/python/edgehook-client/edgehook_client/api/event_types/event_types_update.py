from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.event_type_patch import EventTypePatch
from ...models.event_type_view import EventTypeView
from typing import cast



def _get_kwargs(
    name: str,
    *,
    body: EventTypePatch,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/event-types/{name}".format(name=quote(str(name), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | EventTypeView | None:
    if response.status_code == 200:
        response_200 = EventTypeView.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())



        return response_404

    if response.status_code == 405:
        response_405 = ErrorBody.from_dict(response.json())



        return response_405

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())



        return response_409

    if response.status_code == 411:
        response_411 = ErrorBody.from_dict(response.json())



        return response_411

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())



        return response_413

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | EventTypeView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    body: EventTypePatch,

) -> Response[ErrorBody | EventTypeView]:
    """ Change a type (a JSON merge patch; a `schema` replaces the stored one); its version goes up.

    Args:
        name (str):
        body (EventTypePatch): A PATCH of an event type: a JSON merge patch of
            [`EventTypeFields`], except that `schema`
            replaces the stored schema whole (`null` removes it); the name cannot change (in the
            document only; the handler merges the raw JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventTypeView]
     """


    kwargs = _get_kwargs(
        name=name,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    name: str,
    *,
    client: AuthenticatedClient,
    body: EventTypePatch,

) -> ErrorBody | EventTypeView | None:
    """ Change a type (a JSON merge patch; a `schema` replaces the stored one); its version goes up.

    Args:
        name (str):
        body (EventTypePatch): A PATCH of an event type: a JSON merge patch of
            [`EventTypeFields`], except that `schema`
            replaces the stored schema whole (`null` removes it); the name cannot change (in the
            document only; the handler merges the raw JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventTypeView
     """


    return sync_detailed(
        name=name,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    body: EventTypePatch,

) -> Response[ErrorBody | EventTypeView]:
    """ Change a type (a JSON merge patch; a `schema` replaces the stored one); its version goes up.

    Args:
        name (str):
        body (EventTypePatch): A PATCH of an event type: a JSON merge patch of
            [`EventTypeFields`], except that `schema`
            replaces the stored schema whole (`null` removes it); the name cannot change (in the
            document only; the handler merges the raw JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventTypeView]
     """


    kwargs = _get_kwargs(
        name=name,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient,
    body: EventTypePatch,

) -> ErrorBody | EventTypeView | None:
    """ Change a type (a JSON merge patch; a `schema` replaces the stored one); its version goes up.

    Args:
        name (str):
        body (EventTypePatch): A PATCH of an event type: a JSON merge patch of
            [`EventTypeFields`], except that `schema`
            replaces the stored schema whole (`null` removes it); the name cannot change (in the
            document only; the handler merges the raw JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventTypeView
     """


    return (await asyncio_detailed(
        name=name,
client=client,
body=body,

    )).parsed

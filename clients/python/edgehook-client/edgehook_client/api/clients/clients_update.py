from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.client_patch import ClientPatch
from ...models.client_view import ClientView
from ...models.error_body import ErrorBody
from typing import cast



def _get_kwargs(
    client_id: str,
    *,
    body: ClientPatch,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/clients/{client_id}".format(client_id=quote(str(client_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ClientView | ErrorBody | None:
    if response.status_code == 200:
        response_200 = ClientView.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ClientView | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: ClientPatch,

) -> Response[ClientView | ErrorBody]:
    """ Change a client's name or retention (a JSON merge patch).

    Args:
        client_id (str):
        body (ClientPatch): A PATCH of a client: a JSON merge patch (RFC 7396) of [`ClientFields`]
            (in the document only;
            the handler merges the raw JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientView | ErrorBody]
     """


    kwargs = _get_kwargs(
        client_id=client_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: ClientPatch,

) -> ClientView | ErrorBody | None:
    """ Change a client's name or retention (a JSON merge patch).

    Args:
        client_id (str):
        body (ClientPatch): A PATCH of a client: a JSON merge patch (RFC 7396) of [`ClientFields`]
            (in the document only;
            the handler merges the raw JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientView | ErrorBody
     """


    return sync_detailed(
        client_id=client_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: ClientPatch,

) -> Response[ClientView | ErrorBody]:
    """ Change a client's name or retention (a JSON merge patch).

    Args:
        client_id (str):
        body (ClientPatch): A PATCH of a client: a JSON merge patch (RFC 7396) of [`ClientFields`]
            (in the document only;
            the handler merges the raw JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientView | ErrorBody]
     """


    kwargs = _get_kwargs(
        client_id=client_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: ClientPatch,

) -> ClientView | ErrorBody | None:
    """ Change a client's name or retention (a JSON merge patch).

    Args:
        client_id (str):
        body (ClientPatch): A PATCH of a client: a JSON merge patch (RFC 7396) of [`ClientFields`]
            (in the document only;
            the handler merges the raw JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientView | ErrorBody
     """


    return (await asyncio_detailed(
        client_id=client_id,
client=client,
body=body,

    )).parsed

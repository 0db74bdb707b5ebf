from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.accepted import Accepted
from ...models.error_body import ErrorBody
from ...models.incoming_event import IncomingEvent
from typing import cast



def _get_kwargs(
    *,
    body: IncomingEvent,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/events/ingest",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Accepted | ErrorBody | None:
    if response.status_code == 202:
        response_202 = Accepted.from_dict(response.json())



        return response_202

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

    if response.status_code == 411:
        response_411 = ErrorBody.from_dict(response.json())



        return response_411

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())



        return response_413

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Accepted | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: IncomingEvent,

) -> Response[Accepted | ErrorBody]:
    """ Send one event. Authenticated by the source's API key and an HMAC of the body.

    Args:
        body (IncomingEvent): An event as a source sends it. Example: {'client_id':
            'cli_01JD8K3Q5T2V9W0X4Y6Z8A1B2C', 'data': {'amount': 1200, 'currency': 'EUR'}, 'event_id':
            'evt_1', 'event_type': 'payment.succeeded'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Accepted | ErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: IncomingEvent,

) -> Accepted | ErrorBody | None:
    """ Send one event. Authenticated by the source's API key and an HMAC of the body.

    Args:
        body (IncomingEvent): An event as a source sends it. Example: {'client_id':
            'cli_01JD8K3Q5T2V9W0X4Y6Z8A1B2C', 'data': {'amount': 1200, 'currency': 'EUR'}, 'event_id':
            'evt_1', 'event_type': 'payment.succeeded'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Accepted | ErrorBody
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: IncomingEvent,

) -> Response[Accepted | ErrorBody]:
    """ Send one event. Authenticated by the source's API key and an HMAC of the body.

    Args:
        body (IncomingEvent): An event as a source sends it. Example: {'client_id':
            'cli_01JD8K3Q5T2V9W0X4Y6Z8A1B2C', 'data': {'amount': 1200, 'currency': 'EUR'}, 'event_id':
            'evt_1', 'event_type': 'payment.succeeded'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Accepted | ErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: IncomingEvent,

) -> Accepted | ErrorBody | None:
    """ Send one event. Authenticated by the source's API key and an HMAC of the body.

    Args:
        body (IncomingEvent): An event as a source sends it. Example: {'client_id':
            'cli_01JD8K3Q5T2V9W0X4Y6Z8A1B2C', 'data': {'amount': 1200, 'currency': 'EUR'}, 'event_id':
            'evt_1', 'event_type': 'payment.succeeded'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Accepted | ErrorBody
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed

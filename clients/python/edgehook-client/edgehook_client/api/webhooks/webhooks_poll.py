from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.poll_answer import PollAnswer
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    webhook_id: str,
    *,
    max_: int | Unset = 10,
    wait: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["max"] = max_

    params["wait"] = wait


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/webhooks/{webhook_id}/poll".format(webhook_id=quote(str(webhook_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | PollAnswer | None:
    if response.status_code == 200:
        response_200 = PollAnswer.from_dict(response.json())



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

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | PollAnswer]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    max_: int | Unset = 10,
    wait: str | Unset = UNSET,

) -> Response[ErrorBody | PollAnswer]:
    """ Fetch deliveries of a poll webhook (long poll).

    Args:
        webhook_id (str):
        max_ (int | Unset):  Default: 10.
        wait (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PollAnswer]
     """


    kwargs = _get_kwargs(
        webhook_id=webhook_id,
max_=max_,
wait=wait,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    max_: int | Unset = 10,
    wait: str | Unset = UNSET,

) -> ErrorBody | PollAnswer | None:
    """ Fetch deliveries of a poll webhook (long poll).

    Args:
        webhook_id (str):
        max_ (int | Unset):  Default: 10.
        wait (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PollAnswer
     """


    return sync_detailed(
        webhook_id=webhook_id,
client=client,
max_=max_,
wait=wait,

    ).parsed

async def asyncio_detailed(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    max_: int | Unset = 10,
    wait: str | Unset = UNSET,

) -> Response[ErrorBody | PollAnswer]:
    """ Fetch deliveries of a poll webhook (long poll).

    Args:
        webhook_id (str):
        max_ (int | Unset):  Default: 10.
        wait (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PollAnswer]
     """


    kwargs = _get_kwargs(
        webhook_id=webhook_id,
max_=max_,
wait=wait,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    max_: int | Unset = 10,
    wait: str | Unset = UNSET,

) -> ErrorBody | PollAnswer | None:
    """ Fetch deliveries of a poll webhook (long poll).

    Args:
        webhook_id (str):
        max_ (int | Unset):  Default: 10.
        wait (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PollAnswer
     """


    return (await asyncio_detailed(
        webhook_id=webhook_id,
client=client,
max_=max_,
wait=wait,

    )).parsed

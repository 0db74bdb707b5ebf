from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.attempt_list import AttemptList
from ...models.attempt_outcome import AttemptOutcome
from ...models.error_body import ErrorBody
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    webhook_id: str,
    *,
    limit: int | Unset = 50,
    after: str | Unset = UNSET,
    status: AttemptOutcome | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    event_type: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["after"] = after

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    json_since: str | Unset = UNSET
    if not isinstance(since, Unset):
        json_since = since.isoformat()
    params["since"] = json_since

    json_until: str | Unset = UNSET
    if not isinstance(until, Unset):
        json_until = until.isoformat()
    params["until"] = json_until

    params["event_type"] = event_type


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/webhooks/{webhook_id}/deliveries".format(webhook_id=quote(str(webhook_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AttemptList | ErrorBody | None:
    if response.status_code == 200:
        response_200 = AttemptList.from_dict(response.json())



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

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AttemptList | ErrorBody]:
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
    limit: int | Unset = 50,
    after: str | Unset = UNSET,
    status: AttemptOutcome | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    event_type: str | Unset = UNSET,

) -> Response[AttemptList | ErrorBody]:
    """ Every attempt to deliver to a webhook, oldest first.

    Args:
        webhook_id (str):
        limit (int | Unset):  Default: 50.
        after (str | Unset):
        status (AttemptOutcome | Unset):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):
        event_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttemptList | ErrorBody]
     """


    kwargs = _get_kwargs(
        webhook_id=webhook_id,
limit=limit,
after=after,
status=status,
since=since,
until=until,
event_type=event_type,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    after: str | Unset = UNSET,
    status: AttemptOutcome | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    event_type: str | Unset = UNSET,

) -> AttemptList | ErrorBody | None:
    """ Every attempt to deliver to a webhook, oldest first.

    Args:
        webhook_id (str):
        limit (int | Unset):  Default: 50.
        after (str | Unset):
        status (AttemptOutcome | Unset):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):
        event_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttemptList | ErrorBody
     """


    return sync_detailed(
        webhook_id=webhook_id,
client=client,
limit=limit,
after=after,
status=status,
since=since,
until=until,
event_type=event_type,

    ).parsed

async def asyncio_detailed(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    after: str | Unset = UNSET,
    status: AttemptOutcome | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    event_type: str | Unset = UNSET,

) -> Response[AttemptList | ErrorBody]:
    """ Every attempt to deliver to a webhook, oldest first.

    Args:
        webhook_id (str):
        limit (int | Unset):  Default: 50.
        after (str | Unset):
        status (AttemptOutcome | Unset):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):
        event_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttemptList | ErrorBody]
     """


    kwargs = _get_kwargs(
        webhook_id=webhook_id,
limit=limit,
after=after,
status=status,
since=since,
until=until,
event_type=event_type,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    webhook_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    after: str | Unset = UNSET,
    status: AttemptOutcome | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    event_type: str | Unset = UNSET,

) -> AttemptList | ErrorBody | None:
    """ Every attempt to deliver to a webhook, oldest first.

    Args:
        webhook_id (str):
        limit (int | Unset):  Default: 50.
        after (str | Unset):
        status (AttemptOutcome | Unset):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):
        event_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttemptList | ErrorBody
     """


    return (await asyncio_detailed(
        webhook_id=webhook_id,
client=client,
limit=limit,
after=after,
status=status,
since=since,
until=until,
event_type=event_type,

    )).parsed

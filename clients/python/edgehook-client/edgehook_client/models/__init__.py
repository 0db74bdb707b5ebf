""" Contains all the data models used in inputs/outputs """

from .accepted import Accepted
from .ack_answer import AckAnswer
from .ack_outcome import AckOutcome
from .ack_request import AckRequest
from .ack_result import AckResult
from .attempt_list import AttemptList
from .attempt_outcome import AttemptOutcome
from .attempt_record import AttemptRecord
from .attempt_view import AttemptView
from .batch_accepted import BatchAccepted
from .circuit_state import CircuitState
from .client_created import ClientCreated
from .client_fields import ClientFields
from .client_patch import ClientPatch
from .client_view import ClientView
from .counts import Counts
from .dead_letter_list import DeadLetterList
from .dead_letter_reason import DeadLetterReason
from .dead_letter_view import DeadLetterView
from .dead_letter_view_data import DeadLetterViewData
from .delivery import Delivery
from .delivery_headers import DeliveryHeaders
from .delivery_status import DeliveryStatus
from .encryption import Encryption
from .encryption_jwk import EncryptionJwk
from .endpoint_auth_request import EndpointAuthRequest
from .endpoint_auth_request_headers import EndpointAuthRequestHeaders
from .endpoint_auth_view import EndpointAuthView
from .endpoint_health import EndpointHealth
from .erased import Erased
from .error_body import ErrorBody
from .error_detail import ErrorDetail
from .event_list import EventList
from .event_type_fields import EventTypeFields
from .event_type_fields_examples_item import EventTypeFieldsExamplesItem
from .event_type_list import EventTypeList
from .event_type_patch import EventTypePatch
from .event_type_patch_examples_type_0_item import EventTypePatchExamplesType0Item
from .event_type_view import EventTypeView
from .event_type_view_examples_item import EventTypeViewExamplesItem
from .event_view import EventView
from .event_view_data_type_0 import EventViewDataType0
from .expunged import Expunged
from .incoming_event import IncomingEvent
from .incoming_event_data import IncomingEventData
from .key_status import KeyStatus
from .mtls_request import MtlsRequest
from .mtls_view import MtlsView
from .new_source import NewSource
from .o_auth_2_request import OAuth2Request
from .o_auth_2_view import OAuth2View
from .ordering import Ordering
from .percentiles import Percentiles
from .poll_answer import PollAnswer
from .poll_settings import PollSettings
from .poll_settings_patch import PollSettingsPatch
from .polled_message import PolledMessage
from .portal_link_fields import PortalLinkFields
from .portal_link_list import PortalLinkList
from .portal_link_minted import PortalLinkMinted
from .portal_link_view import PortalLinkView
from .portal_session_view import PortalSessionView
from .priority import Priority
from .public_key import PublicKey
from .public_keys import PublicKeys
from .rate_limit import RateLimit
from .rate_limit_patch import RateLimitPatch
from .redeem import Redeem
from .redrive_request import RedriveRequest
from .redriven import Redriven
from .region_list import RegionList
from .region_view import RegionView
from .region_view_relays_item import RegionViewRelaysItem
from .replay_body_type_0 import ReplayBodyType0
from .replay_body_type_1 import ReplayBodyType1
from .replay_body_type_2 import ReplayBodyType2
from .replay_progress import ReplayProgress
from .replication import Replication
from .retention import Retention
from .retry_config import RetryConfig
from .retry_config_patch import RetryConfigPatch
from .rotation import Rotation
from .scheme import Scheme
from .source_created import SourceCreated
from .test_attempt import TestAttempt
from .test_request import TestRequest
from .test_request_data_type_0 import TestRequestDataType0
from .token_minted import TokenMinted
from .trigger_conditions import TriggerConditions
from .trigger_conditions_filters import TriggerConditionsFilters
from .trigger_conditions_patch import TriggerConditionsPatch
from .trigger_conditions_patch_filters_type_0 import TriggerConditionsPatchFiltersType0
from .webhook_delivery import WebhookDelivery
from .webhook_fields import WebhookFields
from .webhook_list import WebhookList
from .webhook_patch import WebhookPatch
from .webhook_stats import WebhookStats
from .webhook_status import WebhookStatus
from .webhook_updated import WebhookUpdated
from .webhook_view import WebhookView
from .window_stats import WindowStats

__all__ = (
    "Accepted",
    "AckAnswer",
    "AckOutcome",
    "AckRequest",
    "AckResult",
    "AttemptList",
    "AttemptOutcome",
    "AttemptRecord",
    "AttemptView",
    "BatchAccepted",
    "CircuitState",
    "ClientCreated",
    "ClientFields",
    "ClientPatch",
    "ClientView",
    "Counts",
    "DeadLetterList",
    "DeadLetterReason",
    "DeadLetterView",
    "DeadLetterViewData",
    "Delivery",
    "DeliveryHeaders",
    "DeliveryStatus",
    "Encryption",
    "EncryptionJwk",
    "EndpointAuthRequest",
    "EndpointAuthRequestHeaders",
    "EndpointAuthView",
    "EndpointHealth",
    "Erased",
    "ErrorBody",
    "ErrorDetail",
    "EventList",
    "EventTypeFields",
    "EventTypeFieldsExamplesItem",
    "EventTypeList",
    "EventTypePatch",
    "EventTypePatchExamplesType0Item",
    "EventTypeView",
    "EventTypeViewExamplesItem",
    "EventView",
    "EventViewDataType0",
    "Expunged",
    "IncomingEvent",
    "IncomingEventData",
    "KeyStatus",
    "MtlsRequest",
    "MtlsView",
    "NewSource",
    "OAuth2Request",
    "OAuth2View",
    "Ordering",
    "Percentiles",
    "PollAnswer",
    "PolledMessage",
    "PollSettings",
    "PollSettingsPatch",
    "PortalLinkFields",
    "PortalLinkList",
    "PortalLinkMinted",
    "PortalLinkView",
    "PortalSessionView",
    "Priority",
    "PublicKey",
    "PublicKeys",
    "RateLimit",
    "RateLimitPatch",
    "Redeem",
    "Redriven",
    "RedriveRequest",
    "RegionList",
    "RegionView",
    "RegionViewRelaysItem",
    "ReplayBodyType0",
    "ReplayBodyType1",
    "ReplayBodyType2",
    "ReplayProgress",
    "Replication",
    "Retention",
    "RetryConfig",
    "RetryConfigPatch",
    "Rotation",
    "Scheme",
    "SourceCreated",
    "TestAttempt",
    "TestRequest",
    "TestRequestDataType0",
    "TokenMinted",
    "TriggerConditions",
    "TriggerConditionsFilters",
    "TriggerConditionsPatch",
    "TriggerConditionsPatchFiltersType0",
    "WebhookDelivery",
    "WebhookFields",
    "WebhookList",
    "WebhookPatch",
    "WebhookStats",
    "WebhookStatus",
    "WebhookUpdated",
    "WebhookView",
    "WindowStats",
)

//! What every handler shares: the NATS contract, local copies of the webhooks, relays and
//! event types buckets, the token keys, the callback URL policy, the regions, the history store
//! and the sender of test sends.

use std::sync::Arc;

use edgehook_domain::catalogue::EventType;
use edgehook_domain::webhook::Webhook;
use edgehook_history::HistoryStore;
use edgehook_nats::Contract;
use edgehook_nats::kv_cache::KvCache;
use edgehook_nats::region::{Region, RelayHeartbeat};
use edgehook_relay::sender::Sender;
use edgehook_security::sealing::SecretsKey;

use crate::Config;
use crate::auth::Tokens;
use crate::callback_url::CallbackPolicy;
use crate::handlers;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub contract: Contract,
    pub webhooks: KvCache<Webhook>,
    pub relays: KvCache<RelayHeartbeat>,
    /// The event-type catalogue.
    pub event_types: KvCache<EventType>,
    pub tokens: Tokens,
    pub secrets: SecretsKey,
    pub callback_policy: CallbackPolicy,
    pub regions: Vec<Region>,
    pub default_region: String,
    /// Where delivery history is read from; `None`: the hub's ATTEMPTS stream.
    pub history: Option<Arc<HistoryStore>>,
    /// The relay's sender, for `POST /api/v1/webhooks/{id}/test` ([`handlers::test_send`]).
    pub test_sender: Sender,
    /// Poll webhooks' consumers ([`handlers::poll`]).
    pub poll: handlers::poll::PollQueues,
    pub portal: crate::PortalConfig,
}

impl AppState {
    pub fn new(config: Config, contract: Contract) -> Self {
        Self(Arc::new(Inner {
            webhooks: KvCache::follow(contract.jetstream.clone(), contract.webhooks.clone()),
            relays: KvCache::follow(contract.jetstream.clone(), contract.relays.clone()),
            event_types: KvCache::follow(contract.jetstream.clone(), contract.event_types.clone()),
            test_sender: handlers::test_send::sender(
                config.callback_policy.addresses.clone(),
                config.secrets_key.clone(),
            ),
            poll: handlers::poll::PollQueues::default(),
            tokens: Tokens::new(&config.jwt_secret),
            secrets: config.secrets_key,
            callback_policy: config.callback_policy,
            regions: config.regions,
            default_region: config.default_region,
            history: config.history,
            portal: config.portal,
            contract,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

//! A local copy of a KV bucket, kept current by a watcher, with a read-your-writes barrier.
//!
//! Relays match every event against the webhooks of its client; asking NATS for them on each
//! event would put a round trip on the hot path. Instead each service keeps the bucket in memory
//! (a `BTreeMap`, so one client's webhooks are a contiguous key range) and JetStream pushes every
//! change. [`KvCache::sync`] closes the gap a watcher always has: it asks the bucket's stream
//! whether anything follows the last change applied and waits until the copy has applied it, so a webhook created before an
//! event was accepted is always seen when that event is routed. Where a reader needs a key at
//! least as new as something it holds (a relay: the webhook version its task was made with),
//! [`KvCache::lookup_patiently`] waits, bounded, for the copy to reach it.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use async_nats::jetstream::stream::LastRawMessageErrorKind;
use async_nats::jetstream::{self, kv};
use futures::StreamExt;
use serde::de::DeserializeOwned;
use tokio::sync::watch;

const SYNC_TIMEOUT: Duration = Duration::from_secs(5);
const REWATCH_DELAY: Duration = Duration::from_millis(500);

pub struct KvCache<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for KvCache<T> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone() }
    }
}

struct Inner<T> {
    /// `None` is a tombstone: the key was deleted (as opposed to never seen).
    entries: RwLock<BTreeMap<String, Option<Arc<T>>>>,
    /// Revision (stream sequence) of the last change applied.
    applied: watch::Sender<u64>,
    jetstream: jetstream::Context,
    stream_name: String,
}

/// What the copy knows of a key.
#[derive(Debug)]
pub enum Lookup<T> {
    Present(Arc<T>),
    /// Deleted in the bucket.
    Deleted,
    /// Never seen: not created yet, or not replicated here yet.
    Unknown,
    /// Present, but older than the caller needs ([`KvCache::lookup_patiently`]): the newer
    /// value is not replicated here yet.
    Outdated(Arc<T>),
}

#[derive(Debug, thiserror::Error)]
pub enum KvCacheError {
    #[error("asking JetStream for the `{bucket}` bucket's state: {source}")]
    Query { bucket: String, source: async_nats::Error },
    #[error("the local copy of `{bucket}` did not catch up within {SYNC_TIMEOUT:?}")]
    Lagging { bucket: String },
}

impl<T: DeserializeOwned + Send + Sync + 'static> KvCache<T> {
    /// Starts following `store` from its first revision; the copy fills in the background.
    pub fn follow(jetstream: jetstream::Context, store: kv::Store) -> Self {
        let inner = Arc::new(Inner {
            entries: RwLock::new(BTreeMap::new()),
            applied: watch::Sender::new(0),
            jetstream,
            stream_name: store.stream_name.clone(),
        });
        tokio::spawn(watch_changes(Arc::downgrade(&inner), store));
        Self { inner }
    }

    pub fn get(&self, key: &str) -> Option<Arc<T>> {
        self.inner.entries.read().expect("kv cache lock").get(key).cloned().flatten()
    }

    pub fn lookup(&self, key: &str) -> Lookup<T> {
        match self.inner.entries.read().expect("kv cache lock").get(key) {
            Some(Some(value)) => Lookup::Present(value.clone()),
            Some(None) => Lookup::Deleted,
            None => Lookup::Unknown,
        }
    }

    /// Waits up to `patience` for this copy to hold `key` in a state `new_enough` accepts (a
    /// mirror may lag behind its origin: the key may not be here yet, or only in an older
    /// state), checking each time a change is applied. [`Lookup::Outdated`] if only older
    /// states arrived in time; a deletion is final and answered at once.
    pub async fn lookup_patiently(
        &self,
        key: &str,
        patience: Duration,
        new_enough: impl Fn(&T) -> bool,
    ) -> Lookup<T> {
        let mut applied = self.inner.applied.subscribe();
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let found = match self.lookup(key) {
                Lookup::Present(value) if !new_enough(&value) => Lookup::Outdated(value),
                found => found,
            };
            match found {
                Lookup::Unknown | Lookup::Outdated(_) if tokio::time::Instant::now() < deadline => {
                    let _ = tokio::time::timeout_at(deadline, applied.changed()).await;
                }
                found => return found,
            }
        }
    }

    /// [`Self::get`], but a miss is confirmed against the bucket first (see [`Self::sync`]).
    pub async fn get_synced(&self, key: &str) -> Result<Option<Arc<T>>, KvCacheError> {
        if let Some(hit) = self.get(key) {
            return Ok(Some(hit));
        }
        self.sync().await?;
        Ok(self.get(key))
    }

    /// Changes each time the copy applies a change of the bucket (its value: the revision
    /// applied), for followers that react to any change.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.inner.applied.subscribe()
    }

    /// Values whose key starts with `prefix`, in key order, after key `after`, at most `limit`.
    pub fn range(&self, prefix: &str, after: Option<&str>, limit: usize) -> Vec<Arc<T>> {
        let entries = self.inner.entries.read().expect("kv cache lock");
        let start = after.map_or_else(|| prefix.to_owned(), |after| format!("{after}\u{0}"));
        entries
            .range(start..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .filter_map(|(_, value)| value.clone())
            .take(limit)
            .collect()
    }

    /// Waits until every change committed to the bucket before this call is in the copy.
    ///
    /// It asks the bucket's stream for the first message after the last change applied (the
    /// stream's leader answers, so nothing committed is missed): "none", the common case, is a
    /// small answer and means the copy is current. Otherwise it waits for the watch to apply
    /// that change and asks again. (Asking for the stream's info instead, as before, cost the
    /// router a full stream-info request and answer per batch of events: at moderate rates a
    /// batch is one or two events.)
    pub async fn sync(&self) -> Result<(), KvCacheError> {
        let bucket = || self.inner.stream_name.trim_start_matches("KV_").to_owned();
        let query = |source: async_nats::Error| KvCacheError::Query { bucket: bucket(), source };
        let stream = self
            .inner
            .jetstream
            .get_stream_no_info(&self.inner.stream_name)
            .await
            .map_err(|e| query(e.into()))?;
        let mut applied = self.inner.applied.subscribe();
        let deadline = tokio::time::Instant::now() + SYNC_TIMEOUT;
        loop {
            let after = *applied.borrow_and_update();
            let next = match stream.get_first_raw_message_by_subject(">", after + 1).await {
                Ok(message) => message.sequence,
                Err(error) if error.kind() == LastRawMessageErrorKind::NoMessageFound => return Ok(()),
                Err(error) => return Err(query(error.into())),
            };
            match tokio::time::timeout_at(deadline, applied.wait_for(|revision| *revision >= next)).await {
                Ok(Ok(_)) => continue,
                _ => return Err(KvCacheError::Lagging { bucket: bucket() }),
            }
        }
    }
}

impl<T: DeserializeOwned> Inner<T> {
    fn apply(&self, entry: kv::Entry) {
        let mut entries = self.entries.write().expect("kv cache lock");
        match entry.operation {
            kv::Operation::Put => match serde_json::from_slice::<T>(&entry.value) {
                Ok(value) => {
                    entries.insert(entry.key, Some(Arc::new(value)));
                }
                Err(error) => {
                    tracing::error!(key = %entry.key, %error, "unreadable KV entry skipped");
                    entries.insert(entry.key, None);
                }
            },
            kv::Operation::Delete | kv::Operation::Purge => {
                entries.insert(entry.key, None);
            }
        }
        drop(entries);
        self.applied.send_replace(entry.revision);
    }
}

/// Applies every change to the bucket; re-watches from where it stopped if the watch breaks,
/// and ends when the cache is dropped.
async fn watch_changes<T: DeserializeOwned>(inner: Weak<Inner<T>>, store: kv::Store) {
    let mut next_revision = 1;
    loop {
        match store.watch_all_from_revision(next_revision).await {
            Ok(mut changes) => {
                while let Some(change) = changes.next().await {
                    let Some(inner) = inner.upgrade() else { return };
                    match change {
                        Ok(entry) => {
                            next_revision = entry.revision + 1;
                            inner.apply(entry);
                        }
                        Err(error) => {
                            tracing::warn!(bucket = %store.name, %error, "KV watch broke; watching again");
                            break;
                        }
                    }
                }
            }
            Err(error) => tracing::warn!(bucket = %store.name, %error, "cannot watch KV bucket; retrying"),
        }
        if inner.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(REWATCH_DELAY).await;
    }
}

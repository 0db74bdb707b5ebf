//! The attempt log's messages: how attempt records are packed into JetStream messages, and how
//! they are read back.
//!
//! Why: nats-server keeps state in memory for every distinct subject a stream holds (about
//! 245 bytes each, ../shared/notes/nats.md), so a subject per event made the history's memory
//! grow with every attempt ever kept. Records are therefore published on one subject per
//! webhook ([`crate::subjects::attempt`]), and a relay packs the records of one webhook made
//! within a few milliseconds into one message (a JSON array), which also divides the number of
//! JetStream writes. Messages written before (one JSON object on
//! `rgn.<r>.attempts.<client>.<webhook>.<event_id>`) stay readable: [`decode`] takes both, and
//! [`read_records`] filters both subject shapes.
//!
//! A position in the log is a message's stream sequence plus how many of its records were
//! already passed ([`Cursor`]), because a page may end inside a batch.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use edgehook_domain::delivery::AttemptRecord;
use futures::StreamExt;

const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// One message's body: the records as a JSON array.
pub fn encode(records: &[AttemptRecord]) -> Vec<u8> {
    serde_json::to_vec(records).expect("attempt records serialize")
}

/// [`encode`] of records already serialized one by one (each a JSON object).
pub fn join<'a>(records: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut body = vec![b'['];
    for (index, record) in records.enumerate() {
        if index > 0 {
            body.push(b',');
        }
        body.extend_from_slice(record);
    }
    body.push(b']');
    body
}

#[derive(Debug, thiserror::Error)]
#[error("an attempt log message that is neither a record nor an array of records: {0}")]
pub struct DecodeError(#[from] serde_json::Error);

/// The records of one message: a JSON array (a batch), or one JSON object (written before
/// batches).
pub fn decode(payload: &[u8]) -> Result<Vec<AttemptRecord>, DecodeError> {
    let first = payload.iter().find(|byte| !byte.is_ascii_whitespace());
    if first == Some(&b'[') {
        Ok(serde_json::from_slice(payload)?)
    } else {
        Ok(vec![serde_json::from_slice(payload)?])
    }
}

/// Where a read starts or resumes: after the first `passed` records of message `sequence`
/// (`passed` 0 with `whole`: after all of it). Shown to API callers as `<seq>` (after the
/// whole message; what cursors were before batches) or `<seq>.<passed>`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub sequence: u64,
    /// Records of `sequence` already passed; `None`: all of them.
    pub passed: Option<usize>,
}

impl Cursor {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.split_once('.') {
            None => Some(Self { sequence: raw.parse().ok()?, passed: None }),
            Some((sequence, passed)) => {
                Some(Self { sequence: sequence.parse().ok()?, passed: Some(passed.parse().ok()?) })
            }
        }
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.passed {
            None => write!(f, "{}", self.sequence),
            Some(passed) => write!(f, "{}.{passed}", self.sequence),
        }
    }
}

/// Records in log order.
#[derive(Debug)]
pub struct RecordPage {
    pub records: Vec<AttemptRecord>,
    /// Where the next page starts; `None` when the log had nothing more.
    pub next: Option<Cursor>,
}

#[derive(Debug, thiserror::Error)]
#[error("reading attempt records {filters:?} from stream {stream}: {source}")]
pub struct ReadError {
    stream: String,
    filters: Vec<String>,
    source: async_nats::Error,
}

/// Reads up to `limit` records that `wanted` accepts from `stream`'s messages on `filters`,
/// from `start`. At most `scan` messages are looked at: a page may then hold fewer records
/// than `limit` (even none) and still have a `next` cursor.
pub async fn read_records(
    jetstream: &jetstream::Context,
    stream: &str,
    filters: Vec<String>,
    start: Cursor,
    limit: usize,
    scan: usize,
    wanted: impl Fn(&AttemptRecord) -> bool,
) -> Result<RecordPage, ReadError> {
    let error =
        |source: async_nats::Error| ReadError { stream: stream.to_owned(), filters: filters.clone(), source };
    let handle = jetstream.get_stream_no_info(stream).await.map_err(|e| error(e.into()))?;
    // A cursor inside a message reads that message again and skips what was passed.
    let (deliver_policy, skip_in_first) = match start {
        Cursor { sequence: 0, passed: None } => (consumer::DeliverPolicy::All, None),
        Cursor { sequence, passed: None } => {
            (consumer::DeliverPolicy::ByStartSequence { start_sequence: sequence + 1 }, None)
        }
        Cursor { sequence, passed: Some(passed) } => (
            consumer::DeliverPolicy::ByStartSequence { start_sequence: sequence.max(1) },
            Some((sequence, passed)),
        ),
    };
    let config = consumer::pull::OrderedConfig {
        filter_subjects: filters.clone(),
        deliver_policy,
        ..Default::default()
    };
    let mut reader = handle.create_consumer(config).await.map_err(|e| error(e.into()))?;
    let pending = reader.info().await.map_err(|e| error(e.into()))?.num_pending as usize;
    let mut records = Vec::new();
    if pending == 0 {
        return Ok(RecordPage { records, next: None });
    }
    let mut messages = reader.messages().await.map_err(|e| error(e.into()))?;
    let mut read = 0;
    while read < pending {
        let message = match tokio::time::timeout(READ_TIMEOUT, messages.next()).await {
            Ok(Some(Ok(message))) => message,
            Ok(Some(Err(e))) => return Err(error(e.into())),
            Ok(None) | Err(_) => return Err(error("the stream stopped answering".into())),
        };
        read += 1;
        let sequence = message.info().map_err(&error)?.stream_sequence;
        let batch = match decode(&message.payload) {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(stream, sequence, error = %e, "unreadable attempt log message skipped");
                Vec::new()
            }
        };
        let skip = match skip_in_first {
            Some((first, passed)) if first == sequence => passed,
            _ => 0,
        };
        let last_message = read == pending;
        let mut in_batch = batch.into_iter().enumerate().skip(skip).peekable();
        while let Some((index, record)) = in_batch.next() {
            if !wanted(&record) {
                continue;
            }
            records.push(record);
            if records.len() == limit {
                let more_here = in_batch.any(|(_, record)| wanted(&record));
                let next =
                    (more_here || !last_message).then_some(Cursor { sequence, passed: Some(index + 1) });
                return Ok(RecordPage { records, next });
            }
        }
        if read >= scan && !last_message {
            return Ok(RecordPage { records, next: Some(Cursor { sequence, passed: None }) });
        }
    }
    Ok(RecordPage { records, next: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgehook_domain::delivery::AttemptOutcome;

    use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
    use std::sync::LazyLock;

    static IDS: LazyLock<(MessageId, WebhookId, ClientId)> =
        LazyLock::new(|| (MessageId::generate(), WebhookId::generate(), ClientId::generate()));

    fn record(event_id: &str) -> AttemptRecord {
        AttemptRecord {
            message_id: IDS.0.clone(),
            event_id: event_id.to_owned(),
            event_type: "payment.succeeded".to_owned(),
            webhook_id: IDS.1.clone(),
            client_id: IDS.2.clone(),
            attempt: 1,
            attempted_at: time::OffsetDateTime::UNIX_EPOCH,
            status_code: Some(200),
            latency_ms: 3,
            error: None,
            outcome: AttemptOutcome::Succeeded,
            next_attempt_at: None,
            region: "local".to_owned(),
        }
    }

    #[test]
    fn a_batch_and_an_old_single_record_both_decode() {
        let batch = [record("e1"), record("e2")];
        assert_eq!(decode(&encode(&batch)).unwrap(), batch);
        let one_by_one: Vec<Vec<u8>> = batch.iter().map(|r| serde_json::to_vec(r).unwrap()).collect();
        assert_eq!(decode(&join(one_by_one.iter().map(Vec::as_slice))).unwrap(), batch);
        let single = serde_json::to_vec(&record("e3")).unwrap();
        assert_eq!(decode(&single).unwrap(), [record("e3")]);
        assert!(decode(b"\"not a record\"").is_err());
    }

    #[test]
    fn cursors_read_back_what_they_show() {
        for cursor in [Cursor { sequence: 7, passed: None }, Cursor { sequence: 7, passed: Some(3) }] {
            assert_eq!(Cursor::parse(&cursor.to_string()), Some(cursor));
        }
        assert_eq!(Cursor::parse("12"), Some(Cursor { sequence: 12, passed: None }));
        assert_eq!(Cursor::parse("x"), None);
        assert_eq!(Cursor::parse("1.x"), None);
    }
}

//! What `/readyz` asks of JetStream: is the connection up, and do the streams and consumers a
//! service works on exist. Each service's contract says which ([`crate::Contract::readiness`],
//! [`crate::streams::RegionalContract::readiness`]); `edgehook-service` serves the answer.

use std::time::Duration;

use async_nats::jetstream;

const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/readyz` checks: the connection, and that the streams and consumers a service works
/// on exist.
#[derive(Clone)]
pub struct Readiness {
    pub jetstream: jetstream::Context,
    pub streams: Vec<String>,
    /// `(stream, consumer)` pairs.
    pub consumers: Vec<(String, String)>,
}

impl Readiness {
    pub async fn check(&self) -> Result<(), String> {
        let client = self.jetstream.client();
        if client.connection_state() != async_nats::connection::State::Connected {
            return Err("not connected to NATS".to_owned());
        }
        for stream in &self.streams {
            let found = tokio::time::timeout(READY_TIMEOUT, self.jetstream.get_stream(stream)).await;
            if !matches!(found, Ok(Ok(_))) {
                return Err(format!("stream {stream} not available"));
            }
        }
        for (stream, consumer) in &self.consumers {
            let found = async {
                let stream = self.jetstream.get_stream_no_info(stream).await.map_err(|e| e.to_string())?;
                stream.consumer_info(consumer).await.map_err(|e| e.to_string())
            };
            if !matches!(tokio::time::timeout(READY_TIMEOUT, found).await, Ok(Ok(_))) {
                return Err(format!("consumer {stream}/{consumer} not available"));
            }
        }
        Ok(())
    }
}

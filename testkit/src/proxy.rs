//! A TCP proxy a test can cut and restore: stands in for the network between a region and the
//! hub.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    pub port: u16,
    open: watch::Sender<bool>,
    _task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Self {
        Self::start_to_any(vec![target]).await
    }

    /// A proxy in front of several servers, as a load balancer: each connection goes to the
    /// first of them that accepts it, starting from the next one each time.
    pub async fn start_to_any(targets: Vec<SocketAddr>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (open, _) = watch::channel(true);
        let gate = open.clone();
        let task = tokio::spawn(async move {
            let mut next = 0usize;
            loop {
                let Ok((inbound, _)) = listener.accept().await else { return };
                if !*gate.borrow() {
                    continue; // dropped: the link is cut
                }
                let mut closed = gate.subscribe();
                let (targets, first) = (targets.clone(), next);
                next = next.wrapping_add(1);
                tokio::spawn(async move {
                    let mut connected = None;
                    for i in 0..targets.len() {
                        if let Ok(outbound) = TcpStream::connect(targets[(first + i) % targets.len()]).await {
                            connected = Some(outbound);
                            break;
                        }
                    }
                    let Some(outbound) = connected else { return };
                    let (mut inbound, mut outbound) = (inbound, outbound);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = closed.wait_for(|open| !*open) => {}
                    }
                });
            }
        });
        Self { port, open, _task: task }
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.open.send_replace(false);
    }

    pub fn restore(&self) {
        self.open.send_replace(true);
    }
}

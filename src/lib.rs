//! The `edgehook` package's library: what the `edgehook` binary (`src/main.rs`) runs, and what
//! the test kit (`testkit/`) and the bench (`bench/`) reuse of it instead of copying: free ports
//! ([`ports`]), the nats-server children and where to find the binary ([`nats_server`]), the hub's
//! logins ([`nats_logins`]) and how services connect ([`services`]).
//!
//! Each subcommand is one module: [`up`] (everything in one process), [`services`] (one service
//! alone), [`status`], [`verify`], [`nats_logins`] (`nats-keys`), [`openapi`]; [`cli`] holds their flags and
//! [`bench_command`] hands `edgehook bench` to the sibling `edgehook-bench` binary.

pub mod bench_command;
pub mod cli;
pub mod nats_logins;
pub mod nats_server;
pub mod openapi;
pub mod ports;
pub mod services;
pub mod shutdown;
pub mod status;
pub mod up;
pub mod verify;

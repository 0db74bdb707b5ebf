//! The consumer portal: a web app in which a client of the SaaS (an edgehook client) manages
//! its own webhooks and sees their deliveries, without a token of its own.
//!
//! The SaaS's backend mints a link with the admin token (`POST /api/v1/clients/{id}/portal-links`,
//! [`crate::handlers::portal_links`]); the browser opens it, the app redeems its one-time code
//! for a session cookie (`POST /api/v1/portal/session`, [`crate::handlers::portal_session`]),
//! and from then on calls the same client API as everyone else, the cookie standing in for
//! the client's token ([`crate::auth`]), within what the link allows ([`access`]).
//!
//! - [`link`]: the link and session record, its secrets, and the decisions over it;
//! - [`access`]: what a session may do with one request;
//! - [`session`]: the cookie;
//! - [`assets`]: the app's files at `/portal/` and their Content-Security-Policy.

pub mod access;
pub mod assets;
pub mod link;
pub mod session;

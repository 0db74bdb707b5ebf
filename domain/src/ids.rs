//! Typed identifiers: a webhook id cannot be passed where a client id is expected.
//!
//! Every id is `<prefix>_<ULID>`: sortable by creation time, safe as a NATS subject token and
//! as a KV key, and recognisable in logs.

use std::fmt;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh id.
            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, ulid::Ulid::new()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// In the OpenAPI document: a string of the prefix and a ULID.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(concat!("^", $prefix, "_[0-9A-HJKMNP-TV-Z]{26}$")))
                    .examples([concat!($prefix, "_01JD8K3Q5T2V9W0X4Y6Z8A1B2C")])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(value: String) -> Result<Self, InvalidId> {
                let valid = value
                    .strip_prefix(concat!($prefix, "_"))
                    .is_some_and(|rest| ulid::Ulid::from_string(rest).is_ok());
                if valid {
                    Ok(Self(value))
                } else {
                    Err(InvalidId { expected_prefix: $prefix })
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;

            fn from_str(value: &str) -> Result<Self, InvalidId> {
                Self::try_from(value.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

typed_id!(
    /// A client of the SaaS: owns webhooks, receives events.
    ClientId,
    "cl"
);
typed_id!(
    /// A registered callback (subscription).
    WebhookId,
    "wh"
);
typed_id!(
    /// A producer of events (a payment processor, a shop...).
    SourceId,
    "src"
);
typed_id!(
    /// edgehook's own id for an accepted event; sent as `webhook-id`, the same on every retry.
    MessageId,
    "msg"
);

typed_id!(
    /// One relay process, as its heartbeats name it.
    RelayId,
    "rly"
);

typed_id!(
    /// A link into the consumer portal, and the session it is exchanged for.
    PortalLinkId,
    "pl"
);

/// A string that is not an id of the expected kind.
#[derive(Debug, thiserror::Error)]
#[error("not a valid id: expected `{expected_prefix}_` followed by a 26-character ULID")]
pub struct InvalidId {
    pub expected_prefix: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_keep_their_prefix() {
        let id = WebhookId::generate();
        assert!(id.as_str().starts_with("wh_"));
        let parsed: WebhookId = id.as_str().parse().unwrap();
        assert_eq!(parsed, id);
    }

    #[test]
    fn an_id_of_another_kind_is_refused() {
        let client = ClientId::generate();
        assert!(client.as_str().parse::<WebhookId>().is_err());
        assert!("wh_not-a-ulid".parse::<WebhookId>().is_err());
    }
}

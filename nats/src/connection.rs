//! NATS URLs that carry their credentials, as `nats` tools write them:
//! `nats://user:password@host:4222` (a user and password) or `nats://token@host:4222` (a
//! token). async-nats ignores credentials in a URL, so every edgehook connection goes through
//! [`NatsUrl`], which takes them out, hands them to [`async_nats::ConnectOptions`], and keeps
//! a redacted form for logs and errors.

use std::fmt;

/// A parsed `--nats-url`: where to connect and, apart, how to log in.
#[derive(Clone)]
pub struct NatsUrl {
    /// The URL without credentials: safe to print.
    address: String,
    login: Login,
}

#[derive(Clone)]
enum Login {
    None,
    Token(String),
    UserPassword(String, String),
}

#[derive(Debug, thiserror::Error)]
#[error("`{url}` is not a NATS URL: {reason}")]
pub struct InvalidNatsUrl {
    url: String,
    reason: String,
}

impl NatsUrl {
    pub fn parse(url: &str) -> Result<Self, InvalidNatsUrl> {
        let invalid = |reason: String| InvalidNatsUrl { url: redact(url), reason };
        let mut parsed = url::Url::parse(url).map_err(|error| invalid(error.to_string()))?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(invalid("it names no host (write nats://host:4222)".to_owned()));
        }
        let user = decode(parsed.username());
        let password = parsed.password().map(decode);
        let login = match (user.is_empty(), password) {
            (true, None) => Login::None,
            (false, None) => Login::Token(user),
            (_, Some(password)) => Login::UserPassword(user, password),
        };
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        let address = parsed.as_str().trim_end_matches('/').to_owned();
        Ok(Self { address, login })
    }

    /// The same server, logged into with a token instead (how a source connects).
    pub fn with_token(&self, token: &str) -> Self {
        Self { address: self.address.clone(), login: Login::Token(token.to_owned()) }
    }

    /// The URL without its credentials.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Connect options carrying the URL's credentials; connect them to [`Self::address`].
    pub fn options(&self) -> async_nats::ConnectOptions {
        match &self.login {
            Login::None => async_nats::ConnectOptions::new(),
            Login::Token(token) => async_nats::ConnectOptions::with_token(token.clone()),
            Login::UserPassword(user, password) => {
                async_nats::ConnectOptions::with_user_and_password(user.clone(), password.clone())
            }
        }
    }

    /// Connects with `options` (built on [`Self::options`]).
    pub async fn connect(
        &self,
        options: async_nats::ConnectOptions,
    ) -> Result<async_nats::Client, async_nats::ConnectError> {
        options.connect(self.address.as_str()).await
    }
}

impl fmt::Display for NatsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

impl fmt::Debug for NatsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

fn decode(part: &str) -> String {
    percent_encoding::percent_decode_str(part).decode_utf8_lossy().into_owned()
}

/// `url` with anything between `://` and `@` replaced, for error messages about a bad URL.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_and_password_are_taken_out_of_the_address() {
        let url = NatsUrl::parse("nats://edgehook:p%40ss@127.0.0.1:4222").unwrap();
        assert_eq!(url.address(), "nats://127.0.0.1:4222");
        assert!(
            matches!(&url.login, Login::UserPassword(user, password) if user == "edgehook" && password == "p@ss")
        );
        assert_eq!(url.to_string(), "nats://127.0.0.1:4222");
    }

    #[test]
    fn a_lone_user_part_is_a_token() {
        let url = NatsUrl::parse("nats://src_key.secret@hub.example:4222").unwrap();
        assert!(matches!(&url.login, Login::Token(token) if token == "src_key.secret"));
        assert_eq!(url.address(), "nats://hub.example:4222");
    }

    #[test]
    fn a_plain_url_has_no_login() {
        let url = NatsUrl::parse("nats://127.0.0.1:4222").unwrap();
        assert!(matches!(url.login, Login::None));
        assert_eq!(url.with_token("t").address(), "nats://127.0.0.1:4222");
    }

    #[test]
    fn errors_do_not_repeat_the_password() {
        let error = NatsUrl::parse("nats://edgehook:secret@").err().unwrap().to_string();
        assert!(!error.contains("secret"), "{error}");
        assert!(NatsUrl::parse("not a url").is_err());
    }
}

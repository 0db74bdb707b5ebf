//! NATS URLs that carry their credentials, as `nats` tools write them:
//! `nats://user:password@host:4222` (a user and password) or `nats://token@host:4222` (a
//! token), several of a cluster separated by commas. async-nats ignores credentials in a URL and
//! takes one URL per string, so every edgehook connection goes through [`NatsUrl`], which takes
//! the credentials out, hands them to [`async_nats::ConnectOptions`], connects to every server
//! of the list, and keeps a redacted form for logs and errors.

use std::fmt;

/// A parsed `--nats-url`: where to connect and, apart, how to log in.
#[derive(Clone)]
pub struct NatsUrl {
    /// The servers' URLs without credentials: safe to print.
    servers: Vec<String>,
    login: Login,
}

#[derive(Clone, PartialEq)]
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
    /// One URL or several, comma-separated, all with the same login (or none).
    pub fn parse(urls: &str) -> Result<Self, InvalidNatsUrl> {
        let mut servers = Vec::new();
        let mut logins = Vec::new();
        for url in urls.split(',').map(str::trim).filter(|url| !url.is_empty()) {
            let (server, login) = parse_one(url)?;
            servers.push(server);
            logins.push(login);
        }
        let Some(login) = logins.first().cloned() else {
            return Err(InvalidNatsUrl { url: redact(urls), reason: "it is empty".to_owned() });
        };
        if logins.iter().any(|other| *other != login) {
            return Err(InvalidNatsUrl {
                url: redact(urls),
                reason: "its servers carry different logins".to_owned(),
            });
        }
        Ok(Self { servers, login })
    }

    /// The same servers, logged into with a token instead (how a source connects).
    pub fn with_token(&self, token: &str) -> Self {
        Self { servers: self.servers.clone(), login: Login::Token(token.to_owned()) }
    }

    /// The URLs without their credentials, comma-separated.
    pub fn address(&self) -> String {
        self.servers.join(",")
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
        options.connect(self.servers.as_slice()).await
    }
}

fn parse_one(url: &str) -> Result<(String, Login), InvalidNatsUrl> {
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
    Ok((parsed.as_str().trim_end_matches('/').to_owned(), login))
}

impl fmt::Display for NatsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address())
    }
}

impl fmt::Debug for NatsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address())
    }
}

fn decode(part: &str) -> String {
    percent_encoding::percent_decode_str(part).decode_utf8_lossy().into_owned()
}

/// `urls` with each login replaced by `***`: what a terminal, a log or an error message may
/// show of a NATS URL.
pub fn redact(urls: &str) -> String {
    let redact_one = |url: &str| match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    };
    urls.split(',').map(redact_one).collect::<Vec<_>>().join(",")
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
    fn a_cluster_is_a_comma_separated_list_with_one_login() {
        let url =
            NatsUrl::parse("nats://edgehook:pw@10.0.1.10:4222,nats://edgehook:pw@10.0.2.10:4222").unwrap();
        assert_eq!(url.servers, ["nats://10.0.1.10:4222", "nats://10.0.2.10:4222"]);
        assert_eq!(url.address(), "nats://10.0.1.10:4222,nats://10.0.2.10:4222");
        assert!(matches!(&url.login, Login::UserPassword(_, password) if password == "pw"));
        let mixed = NatsUrl::parse("nats://edgehook:pw@a:4222,nats://edgehook:other@b:4222").err().unwrap();
        assert!(mixed.to_string().contains("different logins"), "{mixed}");
        assert!(!mixed.to_string().contains("other"), "{mixed}");
    }

    #[test]
    fn redacting_keeps_the_servers_and_hides_the_login() {
        assert_eq!(
            redact("nats://edgehook:secret@127.0.0.1:4223,nats://edgehook:secret@b:4222"),
            "nats://***@127.0.0.1:4223,nats://***@b:4222"
        );
        assert_eq!(redact("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
    }

    #[test]
    fn errors_do_not_repeat_the_password() {
        let error = NatsUrl::parse("nats://edgehook:secret@").err().unwrap().to_string();
        assert!(!error.contains("secret"), "{error}");
        assert!(NatsUrl::parse("not a url").is_err());
    }
}

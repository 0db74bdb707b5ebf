//! `edgehook verify`: checks a captured delivery the way a client's verifier would, so a client
//! can tell a signing problem from a parsing one.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use edgehook_security::signatures::VerifyingKey;

#[derive(Args)]
pub struct VerifyArgs {
    /// The webhook's key: its `whsec_` secret, or its `whpk_` public key (Ed25519).
    #[arg(long, env = "EDGEHOOK_VERIFY_KEY", hide_env_values = true)]
    pub secret: String,
    /// The delivery's headers: inline JSON (`{"webhook-id": ...}`), or a file holding JSON or
    /// `Name: value` lines.
    #[arg(long)]
    pub headers: String,
    /// A file holding the raw body exactly as received (`-` for standard input).
    #[arg(long)]
    pub body: PathBuf,
    /// How far webhook-timestamp may be from now, in seconds (0: do not check).
    #[arg(long, default_value_t = 300)]
    pub tolerance_seconds: u64,
}

pub fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let key = VerifyingKey::parse(args.secret.trim()).context("--secret")?;
    let headers = read_headers(&args.headers)?;
    let body = if args.body.as_os_str() == "-" {
        let mut body = Vec::new();
        std::io::stdin().read_to_end(&mut body).context("reading the body from standard input")?;
        body
    } else {
        std::fs::read(&args.body).with_context(|| format!("reading --body {}", args.body.display()))?
    };
    let header =
        |name: &str| headers.get(name).map(String::as_str).with_context(|| format!("no {name} header"));
    let message_id = header("webhook-id")?;
    let timestamp: i64 =
        header("webhook-timestamp")?.trim().parse().context("webhook-timestamp is not Unix seconds")?;
    let signature = header("webhook-signature")?;
    let version = key.verify(message_id, timestamp, &body, signature)?;
    if args.tolerance_seconds > 0 {
        let skew = (edgehook_domain::now().unix_timestamp() - timestamp).unsigned_abs();
        if skew > args.tolerance_seconds {
            bail!(
                "the {version} signature matches, but webhook-timestamp is {skew} s from now (more than {} s: \
                 a replay, or pass --tolerance-seconds 0 for an old capture)",
                args.tolerance_seconds
            );
        }
    }
    println!("verified: {version} signature of {message_id}");
    Ok(())
}

/// Header names lowercased, as HTTP treats them.
fn read_headers(value: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let text = if value.trim_start().starts_with('{') {
        value.to_owned()
    } else {
        std::fs::read_to_string(value).with_context(|| format!("reading --headers {value}"))?
    };
    let pairs: Vec<(String, String)> = if text.trim_start().starts_with('{') {
        let object: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(&text).context("--headers is not a JSON object")?;
        object
            .into_iter()
            .map(|(name, value)| (name, value.as_str().unwrap_or_default().to_owned()))
            .collect()
    } else {
        text.lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect()
    };
    Ok(pairs.into_iter().map(|(name, value)| (name.to_ascii_lowercase(), value)).collect())
}

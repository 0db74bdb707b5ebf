//! The portal's web app, served at `/portal/`: the static files `make portal` builds into
//! `portal/dist` (the TypeScript app in the repository's `portal/` folder), embedded in the
//! binary by `rust-embed`, so `edgehook up` needs nothing else at run time.
//!
//! Every answer here carries a strict Content-Security-Policy (scripts, styles and requests
//! only from this origin, nothing inline) whose `frame-ancestors` lists the origins the
//! operator lets embed the portal (`--portal-frame-ancestors`; none by default). Unknown paths
//! under `/portal/` answer the app's `index.html`, which routes on the client; hashed assets
//! are cached for a year, the page itself never.

use rust_embed::RustEmbed;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

#[derive(RustEmbed)]
#[folder = "../portal/dist"]
#[allow_missing = true]
struct Files;

/// The origins allowed to put the portal in a frame, checked: `https://app.example.com`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameAncestors(Vec<String>);

impl FrameAncestors {
    /// Each origin a scheme, a host and an optional port; nothing else (a path, a wildcard
    /// scheme, `*`) is accepted.
    pub fn parse(origins: &[String]) -> Result<Self, String> {
        let mut checked = Vec::new();
        for origin in origins {
            let url =
                url::Url::parse(origin).map_err(|error| format!("`{origin}` is not an origin: {error}"))?;
            let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
            if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() || !bare {
                return Err(format!(
                    "`{origin}` is not an origin: write scheme://host[:port], e.g. https://app.example.com"
                ));
            }
            checked.push(url.origin().ascii_serialization());
        }
        Ok(Self(checked))
    }

    /// The portal pages' Content-Security-Policy.
    pub fn policy(&self) -> String {
        let ancestors = if self.0.is_empty() { "'none'".to_owned() } else { self.0.join(" ") };
        format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors {ancestors}"
        )
    }
}

/// `GET /portal` (redirected to `/portal/`) and everything under `/portal/`.
pub fn routes(ancestors: FrameAncestors) -> BoxedFilter<(Response,)> {
    let policy =
        HeaderValue::from_str(&ancestors.policy()).expect("origins checked by FrameAncestors::parse");
    warp::get()
        .and(warp::path("portal"))
        .and(warp::path::tail())
        .and(warp::path::full())
        .map(move |tail: warp::path::Tail, full: warp::path::FullPath| {
            // warp matches `/portal` and `/portal/` alike; the app's relative URLs need the slash.
            if full.as_str() == "/portal" {
                let mut response = Response::default();
                *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
                response.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/portal/"));
                return response;
            }
            let mut response = file(tail.as_str());
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_SECURITY_POLICY, policy.clone());
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            response
        })
        .boxed()
}

/// The file at `path` under the app, or its `index.html` for a path the app routes itself.
fn file(path: &str) -> Response {
    let (name, content, immutable) = match Files::get(path).filter(|_| !path.is_empty()) {
        Some(content) => (path, content, path.starts_with("assets/")),
        None if path.starts_with("assets/") => return not_found(),
        None => match Files::get("index.html") {
            Some(content) => ("index.html", content, false),
            None => return not_built(),
        },
    };
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let mut response = Response::new(content.data.into_owned().into());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime.as_ref()).expect("a MIME type is a header value"),
    );
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn not_found() -> Response {
    let mut response = Response::new("not found".into());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// This binary was built without the app (`cargo build` without `make portal` first).
fn not_built() -> Response {
    let mut response = Response::new(
        "The portal was not built into this edgehook binary: run `make portal`, then build edgehook again."
            .into(),
    );
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_origins_may_frame_the_portal() {
        let listed =
            FrameAncestors::parse(&["https://app.example.com".into(), "http://localhost:3000".into()])
                .unwrap();
        assert!(listed.policy().ends_with("frame-ancestors https://app.example.com http://localhost:3000"));
        assert!(FrameAncestors::default().policy().ends_with("frame-ancestors 'none'"));
        for bad in ["*", "https://app.example.com/path", "javascript:alert(1)", "app.example.com"] {
            assert!(FrameAncestors::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_policy_allows_nothing_inline_and_nothing_from_elsewhere() {
        let policy = FrameAncestors::default().policy();
        assert!(policy.contains("script-src 'self';"));
        assert!(!policy.contains("unsafe"));
    }
}

//! The consumer portal's access, through the HTTP API as a browser and the SaaS's backend use
//! it (the browser itself is in tests/portal.rs): links minted with the admin token, one-time
//! codes redeemed for an HttpOnly SameSite=Strict cookie, the cookie standing for the client's
//! token within what the link allows (CSRF token on changes, read-only, some webhooks only),
//! expiry and revocation, and the Content-Security-Policy of the portal and of the API.

use edgehook_testkit as support;

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, SET_COOKIE, X_FRAME_OPTIONS};
use serde_json::{Value, json};
use support::World;

/// A browser's view of one portal session: its cookie and CSRF token.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Browser {
    async fn call(&self, method: Method, path: &str, body: Option<Value>, csrf: bool) -> (u16, Value) {
        let mut request =
            self.http.request(method, format!("{}{path}", self.base)).header(COOKIE, &self.cookie);
        if csrf {
            request = request.header("x-csrf-token", &self.csrf);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Mints a link for `client_id` with `fields`; the 201 body.
async fn mint(world: &World, client_id: &str, fields: Value) -> Value {
    let path = format!("/api/v1/clients/{client_id}/portal-links");
    let (status, body) =
        world.api.call(Method::POST, &path, Some(&world.api.admin_token), Some(fields)).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Redeems `code`: the answer's status, body and Set-Cookie.
async fn redeem(world: &World, code: &str) -> (u16, Value, Option<String>) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/portal/session", world.api.control_plane))
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cookie = response.headers().get(SET_COOKIE).map(|value| value.to_str().unwrap().to_owned());
    (status, response.json().await.unwrap_or(Value::Null), cookie)
}

/// Opens a link as a browser would (the code from the URL's fragment).
async fn open(world: &World, link: &Value) -> Browser {
    let url = link["url"].as_str().unwrap();
    let code = url.split_once("#code=").expect("the code is in the URL's fragment").1;
    assert_eq!(code, link["code"].as_str().unwrap());
    let (status, session, set_cookie) = redeem(world, code).await;
    assert_eq!(status, 200, "{session}");
    let set_cookie = set_cookie.expect("the session is a cookie");
    Browser {
        http: reqwest::Client::new(),
        base: world.api.control_plane.clone(),
        cookie: set_cookie.split(';').next().unwrap().to_owned(),
        csrf: session["csrf_token"].as_str().unwrap().to_owned(),
    }
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|webhook| webhook["webhook_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_opens_one_session_of_its_client_until_it_is_revoked() {
    let world = World::start().await;
    let mine = world.webhook("/a", json!({})).await["webhook_id"].as_str().unwrap().to_owned();
    let (other_client, other_token) = world.api.create_client("globex").await;
    let theirs = world
        .api
        .create_webhook(&other_token, json!({"callback_url": world.receiver.url("/b")}))
        .await["webhook_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let link = mint(&world, &world.client_id, json!({})).await;
    assert!(
        link["url"].as_str().unwrap().starts_with(&format!("{}/portal/#code=", world.api.control_plane)),
        "{link}"
    );
    assert_eq!((link["read_only"].clone(), link["webhooks"].clone()), (json!(false), Value::Null));

    // Two browsers race with one code: one session.
    let code = link["code"].as_str().unwrap();
    let (first, second) = tokio::join!(redeem(&world, code), redeem(&world, code));
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [200, 401], "{} / {}", first.1, second.1);
    let (won, lost) = if first.0 == 200 { (first, second) } else { (second, first) };
    let (session, set_cookie, refused) = (won.1, won.2, lost.1);
    assert_eq!(refused["error"]["code"], "invalid_code", "{refused}");
    let set_cookie = set_cookie.unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=3600"] {
        assert!(set_cookie.contains(attribute), "{attribute} missing: {set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "on loopback the cookie is not Secure: {set_cookie}");
    assert_eq!(
        (session["client_id"].as_str(), session["client_name"].as_str()),
        (Some(world.client_id.as_str()), Some("acme"))
    );
    let browser = Browser {
        http: reqwest::Client::new(),
        base: world.api.control_plane.clone(),
        cookie: set_cookie.split(';').next().unwrap().to_owned(),
        csrf: session["csrf_token"].as_str().unwrap().to_owned(),
    };

    // The cookie is the client's token: its webhooks, never another client's, never an admin's.
    let (status, list) = browser.call(Method::GET, "/api/v1/webhooks", None, false).await;
    assert_eq!((status, ids(&list)), (200, vec![mine.clone()]), "{list}");
    let (status, _) = browser.call(Method::GET, &format!("/api/v1/webhooks/{theirs}"), None, false).await;
    assert_eq!(status, 404);
    let (status, body) =
        browser.call(Method::GET, &format!("/api/v1/clients/{other_client}"), None, false).await;
    assert_eq!((status, body["error"]["code"].clone()), (403, json!("forbidden")), "{body}");
    let (status, body) = browser
        .call(Method::POST, &format!("/api/v1/clients/{other_client}/portal-links"), Some(json!({})), true)
        .await;
    assert_eq!(status, 403, "{body}");

    // A change needs the session's CSRF token.
    let new = json!({"callback_url": world.receiver.url("/c")});
    let (status, body) = browser.call(Method::POST, "/api/v1/webhooks", Some(new.clone()), false).await;
    assert_eq!((status, body["error"]["code"].clone()), (403, json!("csrf")), "{body}");
    let (status, body) = browser.call(Method::POST, "/api/v1/webhooks", Some(new), true).await;
    assert_eq!(status, 201, "{body}");
    let (status, session_again) = browser.call(Method::GET, "/api/v1/portal/session", None, false).await;
    assert_eq!((status, &session_again["csrf_token"]), (200, &session["csrf_token"]));

    // The admin sees the link opened, and revokes it: the session ends at its next request.
    let links_path = format!("/api/v1/clients/{}/portal-links", world.client_id);
    let (status, links) = world.api.call(Method::GET, &links_path, Some(&world.api.admin_token), None).await;
    assert_eq!(status, 200, "{links}");
    let listed = &links["data"][0];
    assert_eq!(
        (listed["id"].clone(), listed["opened_at"].is_string()),
        (link["id"].clone(), true),
        "{links}"
    );
    assert!(listed.get("code").is_none() && !links.to_string().contains(code), "a code is shown only once");
    let link_path = format!("{links_path}/{}", link["id"].as_str().unwrap());
    let (status, _) = world.api.call(Method::DELETE, &link_path, Some(&world.api.admin_token), None).await;
    assert_eq!(status, 204);
    let (status, body) = browser.call(Method::GET, "/api/v1/webhooks", None, false).await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = world.api.call(Method::DELETE, &link_path, Some(&world.api.admin_token), None).await;
    assert_eq!(status, 404);

    // Signing out ends a session too, and needs the CSRF token.
    let browser = open(&world, &mint(&world, &world.client_id, json!({"read_only": true})).await).await;
    let (status, _) = browser.call(Method::DELETE, "/api/v1/portal/session", None, false).await;
    assert_eq!(status, 403);
    let (status, _) = browser.call(Method::DELETE, "/api/v1/portal/session", None, true).await;
    assert_eq!(status, 204);
    let (status, _) = browser.call(Method::GET, "/api/v1/portal/session", None, false).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_and_limited_links_allow_what_they_say_and_links_expire() {
    let world = World::start().await;
    let first = world.webhook("/a", json!({"event_types": ["order.created"]})).await["webhook_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = world.webhook("/b", json!({"event_types": ["order.paid"]})).await["webhook_id"]
        .as_str()
        .unwrap()
        .to_owned();
    world.send("evt-first", "order.created", json!({"n": 1})).await;
    world.send("evt-second", "order.paid", json!({"n": 2})).await;

    let read_only = open(&world, &mint(&world, &world.client_id, json!({"read_only": true})).await).await;
    let (status, list) = read_only.call(Method::GET, "/api/v1/webhooks", None, false).await;
    assert_eq!((status, ids(&list).len()), (200, 2));
    for (method, path) in [
        (Method::PATCH, format!("/api/v1/webhooks/{first}")),
        (Method::DELETE, format!("/api/v1/webhooks/{first}")),
        (Method::POST, format!("/api/v1/webhooks/{first}/rotate-secret")),
        (Method::POST, format!("/api/v1/webhooks/{first}/test")),
        (Method::POST, "/api/v1/webhooks".to_owned()),
    ] {
        let (status, body) =
            read_only.call(method.clone(), &path, Some(json!({"description": "x"})), true).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (403, json!("read_only")),
            "{method} {path}: {body}"
        );
    }
    let (status, webhook) =
        world.api.call(Method::GET, &format!("/api/v1/webhooks/{first}"), Some(&world.token), None).await;
    assert_eq!((status, webhook["status"].clone()), (200, json!("active")), "nothing changed: {webhook}");

    let limited = open(&world, &mint(&world, &world.client_id, json!({"webhooks": [first]})).await).await;
    let (status, list) = limited.call(Method::GET, "/api/v1/webhooks", None, false).await;
    assert_eq!((status, ids(&list)), (200, vec![first.clone()]), "{list}");
    let (status, _) =
        limited.call(Method::GET, &format!("/api/v1/webhooks/{second}/deliveries"), None, false).await;
    assert_eq!(status, 404);
    let (status, body) = limited
        .call(Method::PATCH, &format!("/api/v1/webhooks/{first}"), Some(json!({"description": "mine"})), true)
        .await;
    assert_eq!(status, 200, "{body}");
    // One event, as its own webhooks had it; not one that went only to another webhook.
    for event_id in ["evt-first", "evt-second"] {
        support::eventually("both events in the history", || async {
            let path = format!("/api/v1/events/{event_id}");
            let (_, event) = world.api.call(Method::GET, &path, Some(&world.token), None).await;
            (event["webhooks"].as_array().is_some_and(|webhooks| !webhooks.is_empty())).then_some(())
        })
        .await;
    }
    let (status, event) = limited.call(Method::GET, "/api/v1/events/evt-first", None, false).await;
    assert_eq!((status, event["data"].clone()), (200, json!({"n": 1})), "{event}");
    assert_eq!(event["webhooks"].as_array().unwrap().len(), 1, "{event}");
    let (status, _) = limited.call(Method::GET, "/api/v1/events/evt-second", None, false).await;
    assert_eq!(status, 404, "an event that went only to another webhook is not found");
    for (method, path) in [
        (Method::POST, "/api/v1/webhooks"),
        (Method::GET, "/api/v1/events"),
        (Method::GET, "/api/v1/events/evt-first/deliveries"),
        (Method::DELETE, "/api/v1/events/evt-first"),
    ] {
        let (status, body) =
            limited.call(method, path, Some(json!({"callback_url": world.receiver.url("/c")})), true).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (403, json!("limited_session")),
            "{path}: {body}"
        );
    }

    // What a link may name is checked.
    let (other, other_token) = world.api.create_client("globex").await;
    let theirs =
        world.api.create_webhook(&other_token, json!({"callback_url": world.receiver.url("/x")})).await;
    let path = format!("/api/v1/clients/{}/portal-links", world.client_id);
    for (fields, field) in [
        (json!({"webhooks": [theirs["webhook_id"]]}), "webhooks[0]"),
        (json!({"webhooks": []}), "webhooks"),
        (json!({"session_ttl_seconds": 90_000}), "session_ttl_seconds"),
        (json!({"link_ttl_seconds": 0}), "link_ttl_seconds"),
        (json!({"expires": 5}), "expires"),
    ] {
        let (status, body) =
            world.api.call(Method::POST, &path, Some(&world.api.admin_token), Some(fields.clone())).await;
        assert_eq!(status, 400, "{fields}: {body}");
        assert_eq!(body["error"]["field"].as_str().unwrap_or(""), field, "{fields}: {body}");
    }
    let (status, _) = world
        .api
        .call(
            Method::POST,
            &format!("/api/v1/clients/{other}/portal-links"),
            Some(&world.token),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 403, "a client token mints no link");

    // A link not opened in time is refused; a session ends when its time is up.
    let late = mint(&world, &world.client_id, json!({"link_ttl_seconds": 1})).await;
    let short = open(&world, &mint(&world, &world.client_id, json!({"session_ttl_seconds": 1})).await).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (status, body, cookie) = redeem(&world, late["code"].as_str().unwrap()).await;
    assert_eq!((status, body["error"]["code"].clone(), cookie), (401, json!("invalid_code"), None), "{body}");
    let (status, _) = short.call(Method::GET, "/api/v1/webhooks", None, false).await;
    assert_eq!(status, 401);
    let (status, body, _) = redeem(&world, "not a code").await;
    assert_eq!((status, body["error"]["code"].clone()), (401, json!("invalid_code")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_is_served_under_a_strict_policy_framed_only_by_listed_origins() {
    let world = World::start_with(&["--portal-frame-ancestors", "https://app.example.com"]).await;
    let http = reqwest::Client::new();
    let page = http.get(format!("{}/portal/", world.api.control_plane)).send().await.unwrap();
    assert_eq!(page.status(), 200, "the portal's app is built into edgehook (`make portal`)");
    let policy = page.headers().get(CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "{policy}");
    assert!(policy.ends_with("frame-ancestors https://app.example.com"), "{policy}");
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/portal/assets/"), "the page loads its assets from /portal/assets/: {html}");
    // A path the app routes itself answers the same page.
    let deep = http.get(format!("{}/portal/webhooks/wh_x", world.api.control_plane)).send().await.unwrap();
    assert_eq!((deep.status().as_u16(), deep.text().await.unwrap()), (200, html));

    let api = http
        .get(format!("{}/api/v1/regions", world.api.control_plane))
        .bearer_auth(&world.token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.headers()[CONTENT_SECURITY_POLICY], "default-src 'none'; frame-ancestors 'none'");
    assert_eq!(api.headers()[X_FRAME_OPTIONS], "DENY");

    // A redeem that is not JSON (a form posted from another site) is refused before anything.
    let link = mint(&world, &world.client_id, json!({})).await;
    let form = http
        .post(format!("{}/api/v1/portal/session", world.api.control_plane))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("code={}", link["code"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    open(&world, &link).await;
}

//! HTTP clients acting as one kind of caller each: anonymous, a bearer token, basic auth, or a
//! browser-style session (cookies plus `X-CSRF-Token`), with optional extra headers.

use std::sync::{Arc, Mutex};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde_json::Value;

use super::Berth;

/// What the suite sends as User-Agent unless a test changes it (the §6.17 commands use curl).
pub const CURL_UA: &str = "curl/8.5.0";

#[derive(Clone, Debug)]
enum Auth {
    Anonymous,
    Bearer(String),
    Basic(String, String),
    Session(Arc<Mutex<Session>>),
}

#[derive(Debug, Default)]
struct Session {
    /// `name=value` pairs from `Set-Cookie`, sent back as one `Cookie` header.
    cookies: Vec<(String, String)>,
    csrf: Option<String>,
}

impl Session {
    fn absorb(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(reqwest::header::SET_COOKIE) {
            let Some((name, value)) = value
                .to_str()
                .ok()
                .and_then(|v| v.split(';').next()?.split_once('='))
            else {
                continue;
            };
            self.cookies.retain(|(n, _)| n != name);
            self.cookies
                .push((name.trim().to_owned(), value.trim().to_owned()));
        }
        if let Some(next) = headers
            .get("X-Next-CSRF-Token")
            .and_then(|v| v.to_str().ok())
        {
            self.csrf = Some(next.to_owned());
        }
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    auth: Auth,
    headers: HeaderMap,
}

impl Client {
    fn new(berth: &Berth, auth: Auth) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(CURL_UA),
        );
        Client {
            http,
            base: berth.url(""),
            auth,
            headers,
        }
    }

    pub fn anon(berth: &Berth) -> Client {
        Client::new(berth, Auth::Anonymous)
    }

    pub fn with_token(berth: &Berth, token: &str) -> Client {
        Client::new(berth, Auth::Bearer(token.to_owned()))
    }

    pub fn basic(berth: &Berth, username: &str, password: &str) -> Client {
        Client::new(berth, Auth::Basic(username.to_owned(), password.to_owned()))
    }

    /// Signs in like the web UI (core-api.md §1.5): `GET /csrf_token`, then `POST
    /// /api/v1/signin` with the cookie and `X-CSRF-Token`. Panics unless it answers 200.
    pub async fn session(berth: &Berth, username: &str, password: &str) -> Client {
        let client = Client::browser(berth).await;
        let signin = client
            .post("/api/v1/signin")
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await;
        assert_eq!(
            signin.status,
            200,
            "POST /api/v1/signin as {username}: {}",
            signin.text()
        );
        client
    }

    /// A browser that has its session cookie and CSRF token but has not signed in.
    pub async fn browser(berth: &Berth) -> Client {
        let client = Client::new(berth, Auth::Session(Arc::default()));
        let csrf = client.get("/csrf_token").send().await;
        assert_eq!(csrf.status, 200, "GET /csrf_token: {}", csrf.text());
        client
            .session_state()
            .expect("session")
            .lock()
            .unwrap()
            .csrf = csrf.json()["csrf_token"].as_str().map(str::to_owned);
        client
    }

    fn session_state(&self) -> Option<&Arc<Mutex<Session>>> {
        match &self.auth {
            Auth::Session(state) => Some(state),
            _ => None,
        }
    }

    /// The `Cookie` header a session client sends.
    pub fn cookie_header(&self) -> Option<String> {
        self.session_state()?.lock().unwrap().cookie_header()
    }

    /// A session client that keeps the cookies but sends no `X-CSRF-Token`.
    pub fn without_csrf(&self) -> Client {
        let state = self.session_state().expect("a session client");
        let cookies = state.lock().unwrap().cookies.clone();
        let session = Session {
            cookies,
            csrf: None,
        };
        Client {
            auth: Auth::Session(Arc::new(Mutex::new(session))),
            ..self.clone()
        }
    }

    /// The same caller with one more header on every request.
    pub fn header(mut self, name: &str, value: &str) -> Client {
        self.headers.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
        self
    }

    pub fn user_agent(self, ua: &str) -> Client {
        self.header("User-Agent", ua)
    }

    pub fn request(&self, method: Method, path: &str) -> Req {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut builder = self
            .http
            .request(method.clone(), url)
            .headers(self.headers.clone());
        match &self.auth {
            Auth::Anonymous => {}
            Auth::Bearer(token) => builder = builder.bearer_auth(token),
            Auth::Basic(user, password) => builder = builder.basic_auth(user, Some(password)),
            Auth::Session(state) => {
                let state = state.lock().unwrap();
                if let Some(cookie) = state.cookie_header() {
                    builder = builder.header(reqwest::header::COOKIE, cookie);
                }
                if let (Some(csrf), false) =
                    (&state.csrf, method == Method::GET || method == Method::HEAD)
                {
                    builder = builder.header("X-CSRF-Token", csrf);
                }
            }
        }
        Req {
            builder,
            session: self.session_state().cloned(),
        }
    }

    pub fn get(&self, path: &str) -> Req {
        self.request(Method::GET, path)
    }

    pub fn head(&self, path: &str) -> Req {
        self.request(Method::HEAD, path)
    }

    pub fn post(&self, path: &str) -> Req {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Req {
        self.request(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> Req {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Req {
        self.request(Method::DELETE, path)
    }
}

/// A request being built; `send` never fails on an HTTP status, only on transport errors.
pub struct Req {
    builder: reqwest::RequestBuilder,
    session: Option<Arc<Mutex<Session>>>,
}

impl Req {
    /// A JSON body with `Content-Type: application/json`.
    pub fn json(mut self, body: &Value) -> Req {
        self.builder = self.builder.json(body);
        self
    }

    /// Raw bytes with the given Content-Type (or none).
    pub fn body(mut self, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> Req {
        if let Some(content_type) = content_type {
            self.builder = self
                .builder
                .header(reqwest::header::CONTENT_TYPE, content_type);
        }
        self.builder = self.builder.body(body);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.builder = self.builder.header(name, value);
        self
    }

    pub async fn send(self) -> Resp {
        self.try_send()
            .await
            .expect("request failed to reach berth")
    }

    /// Like `send`, but hands back transport errors (a server killed mid-request).
    pub async fn try_send(self) -> Result<Resp, reqwest::Error> {
        let response = self.builder.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if let Some(session) = &self.session {
            session.lock().unwrap().absorb(&headers);
        }
        let body = response.bytes().await?.to_vec();
        Ok(Resp {
            status,
            headers,
            body,
        })
    }
}

/// A complete response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics (showing it) when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}), status {}: {}",
                self.status,
                self.text()
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and the exact body bytes.
    #[track_caller]
    pub fn expect(&self, status: u16, body: &str) {
        assert_eq!(
            (self.status, self.text().as_str()),
            (status, body),
            "status and exact body"
        );
    }

    #[track_caller]
    pub fn expect_status(&self, status: u16) -> &Resp {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }
}

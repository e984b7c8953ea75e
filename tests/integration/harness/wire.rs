//! The exact bytes Quay sends, built from the recorded transcripts' templates: flask-restful
//! bodies (`", "` / `": "` separators, newline), `jsonify` data-model errors (compact, newline)
//! and `abort()` bodies (no newline).

use sha2::{Digest, Sha256};

/// A JSON string literal (quotes and escapes), as both serializers write plain ASCII text.
fn s(text: &str) -> String {
    serde_json::to_string(text).expect("string")
}

/// The API problem body, e.g. transcripts 9, 21, 35, 44.
pub fn problem(host: &str, status: u16, error_type: &str, detail: &str) -> String {
    format!(
        "{{\"detail\": {d}, \"error_message\": {d}, \"error_type\": \"{error_type}\", \"title\": \"{error_type}\", \
         \"type\": \"http://{host}/api/v1/error/{error_type}\", \"status\": {status}}}\n",
        d = s(detail)
    )
}

pub fn not_found(host: &str) -> String {
    problem(host, 404, "not_found", "Not Found")
}

pub fn invalid_request(host: &str, detail: &str) -> String {
    problem(host, 400, "invalid_request", detail)
}

/// 401 for anonymous callers (transcripts 35, 36, 40).
pub fn requires_auth(host: &str) -> String {
    problem(host, 401, "invalid_token", "Requires authentication")
}

/// 401 of `GET /api/v1/user/` to callers who may not read a user: Quay's payload
/// `"session_required": false` comes before the problem fields (`getLoggedInUser` in Quay's
/// `endpoints/api/user.py`, `ApiException.to_dict`).
pub fn not_signed_in(host: &str) -> String {
    let problem = requires_auth(host);
    format!("{{\"session_required\": false, {}", &problem[1..])
}

/// 403 for callers who are known but lack the role or scope (transcripts 155, 160–166).
pub fn insufficient_scope(host: &str) -> String {
    problem(host, 403, "insufficient_scope", "Unauthorized")
}

/// A data-model error: `{"message":"..."}` compact, as `jsonify` writes it (transcripts 19, 24, 46).
pub fn data_model(message: &str) -> String {
    format!("{{\"message\":{}}}\n", s(message))
}

/// A flask-restful `{"message": "..."}` (transcripts 30, 33).
pub fn restful_message(message: &str) -> String {
    format!("{{\"message\": {}}}\n", s(message))
}

/// An `abort()` body: no trailing newline (transcripts 37, 167).
pub fn abort(error: &str) -> String {
    format!("{{\"error\": {}}}", s(error))
}

pub const CSRF_INVALID: &str = "CSRF token was invalid or missing.";
pub const XHR_REQUIRED: &str =
    "API calls must be invoked with an X-Requested-With header if called from a browser";
pub const UNDECODABLE: &str =
    "The browser (or proxy) sent a request that this server could not understand.";
pub const NOT_JSON: &str =
    "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.";

const COLORS: [&str; 32] = [
    "#969696", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
    "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7",
    "#bcbd22", "#1f77b4", "#17becf", "#9edae5", "#393b79", "#5254a3", "#6b6ecf", "#9c9ede",
    "#9ecae1", "#31a354", "#b5cf6b", "#a1d99b", "#8c6d31", "#ad494a", "#e7ba52", "#a55194",
];

/// The avatar `(hash, color)` of an e-mail (superuser-api.md §4.1, `AVATAR_KIND: local`).
pub fn avatar(email: &str) -> (String, &'static str) {
    let hash = hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()));
    let color = COLORS[usize::from_str_radix(&hash[..2], 16).expect("hex") % COLORS.len()];
    (hash, color)
}

/// A superuser-flavoured user view (transcripts 4, 5, 13), one field per line of the template.
#[derive(Debug, Clone)]
pub struct UserView {
    pub username: String,
    pub email: String,
    /// The e-mail the avatar hash is computed from (it differs from `email` in a PUT's answer).
    pub avatar_email: String,
    pub super_user: bool,
    pub global_readonly_super_user: bool,
    pub enabled: bool,
    /// `FEATURE_QUOTA_MANAGEMENT` adds `quotas` and `quota_report`.
    pub quotas: bool,
    pub encrypted_password: Option<String>,
}

impl UserView {
    pub fn new(username: &str, email: &str) -> UserView {
        UserView {
            username: username.to_owned(),
            email: email.to_owned(),
            avatar_email: email.to_owned(),
            super_user: username == "admin",
            global_readonly_super_user: username == "auditor",
            enabled: true,
            quotas: false,
            encrypted_password: None,
        }
    }

    pub fn render(&self) -> String {
        let (hash, color) = avatar(&self.avatar_email);
        let mut out = format!(
            "{{\"kind\": \"user\", \"name\": {n}, \"username\": {n}, \"email\": {e}, \"verified\": true, \
             \"avatar\": {{\"name\": {n}, \"hash\": \"{hash}\", \"color\": \"{color}\", \"kind\": \"user\"}}, \
             \"super_user\": {su}, \"global_readonly_super_user\": {ro}, \"enabled\": {en}",
            n = s(&self.username),
            e = s(&self.email),
            su = self.super_user,
            ro = self.global_readonly_super_user,
            en = self.enabled,
        );
        if self.quotas {
            out.push_str(
                ", \"quotas\": [], \"quota_report\": {\"quota_bytes\": 0, \"configured_quota\": null, \
                 \"running_backfill\": \"waiting\", \"backfill_status\": \"waiting\"}",
            );
        }
        if let Some(encrypted) = &self.encrypted_password {
            out.push_str(&format!(", \"encrypted_password\": {}", s(encrypted)));
        }
        out.push('}');
        out
    }

    /// The body of `GET /superuser/users/{name}` or a PUT: the view and a newline.
    pub fn body(&self) -> String {
        format!("{}\n", self.render())
    }
}

/// The body of `GET /superuser/users/`: `{"users": [...]}` plus `next_page` when given.
pub fn user_list(users: &[UserView], next_page: Option<&str>) -> String {
    let views: Vec<String> = users.iter().map(UserView::render).collect();
    match next_page {
        Some(token) => format!(
            "{{\"users\": [{}], \"next_page\": {}}}\n",
            views.join(", "),
            s(token)
        ),
        None => format!("{{\"users\": [{}]}}\n", views.join(", ")),
    }
}

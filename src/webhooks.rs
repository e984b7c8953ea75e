//! JSON POSTs to URLs users give (log-export callbacks, repository notifications): no
//! redirects followed (a redirect could lead where `SSRF_ALLOWED_HOSTS` forbids), a bounded
//! wait.

use std::time::Duration;

/// POSTs `payload` as JSON to `url`; answers the response's status.
pub async fn post_json(
    url: &str,
    payload: &serde_json::Value,
    timeout: Duration,
) -> anyhow::Result<reqwest::StatusCode> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()?;
    let answer = client.post(url).json(payload).send().await?;
    Ok(answer.status())
}

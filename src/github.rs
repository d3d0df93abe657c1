//! GitHub's REST API, as far as spci needs it: the numeric id and the login of an account
//! (blocked accounts are stored by id, forks by login). The base URL is configuration, so tests
//! point it at a local server that plays GitHub; the code path is the same.
use serde::Deserialize;
use std::time::Duration;

pub struct GitHub {
    http: reqwest::Client,
    api: String,
}

#[derive(Debug)]
pub enum GitHubError {
    /// GitHub could not be reached or answered something other than the account or a 404.
    Unreachable(String),
}

impl std::fmt::Display for GitHubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(why) => write!(f, "GitHub is unreachable: {why}"),
        }
    }
}

#[derive(Deserialize)]
struct Account {
    id: i64,
    login: String,
}

impl GitHub {
    pub fn new(api_url: &str, timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("spci/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("GitHub client: {e}"))?;
        Ok(Self {
            http,
            api: api_url.trim_end_matches('/').to_string(),
        })
    }

    /// The login of the account with this numeric id; `None` when GitHub has no such account.
    pub async fn login_of(&self, id: i32) -> Result<Option<String>, GitHubError> {
        Ok(self
            .account(&format!("{}/user/{id}", self.api))
            .await?
            .map(|a| a.login))
    }

    /// The numeric id of the account with this login; `None` when GitHub has no such account.
    pub async fn id_of(&self, login: &str) -> Result<Option<i64>, GitHubError> {
        let mut url =
            reqwest::Url::parse(&self.api).map_err(|e| GitHubError::Unreachable(e.to_string()))?;
        url.path_segments_mut()
            .map_err(|_| GitHubError::Unreachable("the API URL cannot be a base".into()))?
            .pop_if_empty()
            .extend(["users", login]);
        Ok(self.account(url.as_str()).await?.map(|a| a.id))
    }

    async fn account(&self, url: &str) -> Result<Option<Account>, GitHubError> {
        let unreachable = |e: reqwest::Error| GitHubError::Unreachable(e.to_string());
        let answer = self
            .http
            .get(url)
            .header("Accept", "application/vnd.github+json")
            .send()
            .await
            .map_err(unreachable)?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let answer = answer.error_for_status().map_err(unreachable)?;
        answer
            .json::<Account>()
            .await
            .map(Some)
            .map_err(unreachable)
    }
}

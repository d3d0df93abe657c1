//! GitHub, as far as spci needs it: the numeric id and the login of an account (blocked
//! accounts are stored by id, forks by login), the OAuth flow that connects an account
//! (the consent URL, the code exchange, the login behind a token), and a commit's ancestry
//! (a run's comparison with its closest ancestor). Both base URLs are
//! configuration, so tests point them at a local server that plays GitHub; the code path is
//! the same.
use serde::Deserialize;
use std::time::Duration;

pub struct GitHub {
    http: reqwest::Client,
    api: String,
    oauth: String,
    client_id: String,
    client_secret: crate::config::Secret,
}

#[derive(Debug)]
pub enum GitHubError {
    /// GitHub could not be reached or answered something other than the account or a 404.
    Unreachable(String),
}

/// An unreachable GitHub is an outage, not the caller's fault: 503 with a retry hint.
impl From<GitHubError> for crate::domain::DomainError {
    fn from(e: GitHubError) -> Self {
        Self::unavailable(e.to_string()).detail("retry_after", 30)
    }
}

impl std::fmt::Display for GitHubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(why) => write!(f, "GitHub is unreachable: {why}"),
        }
    }
}

#[derive(Deserialize)]
struct Exchanged {
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct Account {
    id: i64,
    login: String,
}

#[derive(Deserialize)]
struct Pull {
    base: Sha,
}

#[derive(Deserialize)]
struct Sha {
    sha: String,
}

#[derive(Deserialize)]
struct Commit {
    sha: String,
    #[serde(default)]
    parents: Vec<Sha>,
}

impl GitHub {
    pub fn from_config(c: &crate::config::Config) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(c.github_timeout))
            .user_agent(concat!("spci/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("GitHub client: {e}"))?;
        let base = |u: &str, name: &str| {
            reqwest::Url::parse(u)
                .map(|_| u.trim_end_matches('/').to_string())
                .map_err(|e| format!("{name}: {e}"))
        };
        Ok(Self {
            http,
            api: base(&c.github_api_url, "SPCI_GITHUB_API_URL")?,
            oauth: base(&c.github_oauth_url, "SPCI_GITHUB_OAUTH_URL")?,
            client_id: c.github_client_id.clone(),
            client_secret: c.github_client_secret.clone(),
        })
    }

    /// GitHub's consent page for this OAuth app, asking for upstream's scope, coming back to
    /// `redirect_uri` with `state`.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> String {
        let mut url = reqwest::Url::parse(&format!("{}/login/oauth/authorize", self.oauth))
            .expect("checked at startup");
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", "public_repo")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state);
        url.into()
    }

    /// The access token GitHub gives for `code`; `None` when GitHub refuses the code.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<Option<String>, GitHubError> {
        let unreachable = |e: reqwest::Error| GitHubError::Unreachable(e.to_string());
        let answer = self
            .http
            .post(format!("{}/login/oauth/access_token", self.oauth))
            .header("Accept", "application/json")
            .form(&[
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose()),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ])
            .send()
            .await
            .map_err(unreachable)?;
        if answer.status().is_client_error() {
            return Ok(None);
        }
        let answer = answer.error_for_status().map_err(unreachable)?;
        // GitHub answers a refused code with 200 and an `error` field instead of a token.
        let exchanged: Exchanged = answer.json().await.map_err(unreachable)?;
        Ok(exchanged.access_token.filter(|t| !t.is_empty()))
    }

    /// The login of the account `token` belongs to; `None` when GitHub rejects the token.
    pub async fn login_for_token(&self, token: &str) -> Result<Option<String>, GitHubError> {
        let unreachable = |e: reqwest::Error| GitHubError::Unreachable(e.to_string());
        let answer = self
            .http
            .get(format!("{}/user", self.api))
            .header("Accept", "application/vnd.github+json")
            .bearer_auth(token)
            .send()
            .await
            .map_err(unreachable)?;
        if answer.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Ok(None);
        }
        let answer = answer.error_for_status().map_err(unreachable)?;
        answer
            .json::<Account>()
            .await
            .map(|a| Some(a.login))
            .map_err(unreachable)
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
        let url = self.api_url(["users", login])?;
        Ok(self.account(url.as_str()).await?.map(|a| a.id))
    }

    async fn account(&self, url: &str) -> Result<Option<Account>, GitHubError> {
        self.get_json(url).await
    }

    /// The commits a run descends from, nearest first, at most `depth`: from a pull request's
    /// base commit, else from the commit's first parent, as upstream walks them. Empty when
    /// GitHub knows no such pull request or commit, or the commit has no parent.
    pub async fn ancestry(
        &self,
        repository: &str,
        pull_request: Option<i32>,
        commit: &str,
        depth: usize,
    ) -> Result<Vec<String>, GitHubError> {
        let start = match pull_request {
            Some(n) => self
                .get_json::<Pull>(
                    self.repo_url(repository, &["pulls", &n.to_string()])?
                        .as_str(),
                )
                .await?
                .map(|p| p.base.sha),
            None => self
                .get_json::<Commit>(self.repo_url(repository, &["commits", commit])?.as_str())
                .await?
                .and_then(|c| c.parents.into_iter().next())
                .map(|p| p.sha),
        };
        let Some(start) = start else {
            return Ok(vec![]);
        };
        let mut url = self.repo_url(repository, &["commits"])?;
        url.query_pairs_mut()
            .append_pair("sha", &start)
            .append_pair("per_page", &depth.min(100).to_string());
        let commits: Vec<Commit> = self.get_json(url.as_str()).await?.unwrap_or_default();
        Ok(commits.into_iter().take(depth).map(|c| c.sha).collect())
    }

    /// `<api>/repos/<owner>/<name>/<rest…>`.
    fn repo_url(&self, repository: &str, rest: &[&str]) -> Result<reqwest::Url, GitHubError> {
        let segments = std::iter::once("repos")
            .chain(repository.split('/'))
            .chain(rest.iter().copied());
        self.api_url(segments)
    }

    /// `<api>/<segment>/…`, each segment escaped, so a login or sha cannot change the path.
    fn api_url<'a>(
        &self,
        segments: impl IntoIterator<Item = &'a str>,
    ) -> Result<reqwest::Url, GitHubError> {
        let mut url =
            reqwest::Url::parse(&self.api).map_err(|e| GitHubError::Unreachable(e.to_string()))?;
        url.path_segments_mut()
            .map_err(|_| GitHubError::Unreachable("the API URL cannot be a base".into()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// A JSON answer; `None` for a 404, anything else unexpected is GitHub being unreachable.
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<Option<T>, GitHubError> {
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
        answer.json::<T>().await.map(Some).map_err(unreachable)
    }
}

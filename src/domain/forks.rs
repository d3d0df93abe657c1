//! Which repository a caller may start a run on (review H2, H3): the configured main repository
//! for staff roles, or the caller's own fork of it, identified by the `github_login` stored when
//! the caller linked GitHub. Anything else, an arbitrary `owner/repo` included, is refused
//! before a row is written. There is no test-mode identity: the login comes from the database.
use super::scopes::is_staff;
use crate::api::Role;

#[derive(Debug, PartialEq, Eq)]
pub enum Repository {
    Main,
    /// The caller's fork: `https://github.com/<login>/<main repo name>.git`.
    Fork {
        url: String,
    },
}

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The main repository needs admin, tester or contributor.
    RoleForMain,
    /// Not the caller's fork of the main repository (or the caller has no linked login).
    NotYourFork,
}

pub fn repository_for_run(
    requested: &str,
    main: &str,
    role: Role,
    github_login: Option<&str>,
) -> Result<Repository, Refusal> {
    if requested.eq_ignore_ascii_case(main) {
        return if is_staff(role) {
            Ok(Repository::Main)
        } else {
            Err(Refusal::RoleForMain)
        };
    }
    let (owner, name) = requested.split_once('/').ok_or(Refusal::NotYourFork)?;
    let main_name = main.split_once('/').map_or(main, |(_, n)| n);
    match github_login.map(str::trim).filter(|l| !l.is_empty()) {
        Some(login)
            if owner.eq_ignore_ascii_case(login) && name.eq_ignore_ascii_case(main_name) =>
        {
            Ok(Repository::Fork {
                url: format!("https://github.com/{login}/{main_name}.git"),
            })
        }
        _ => Err(Refusal::NotYourFork),
    }
}

/// The GitHub account owning a fork by its clone URL (`https://github.com/<owner>/<repo>.git`).
pub fn owner_of(url: &str) -> Option<&str> {
    let path = url
        .trim()
        .strip_prefix("https://github.com/")
        .or_else(|| url.trim().strip_prefix("http://github.com/"))?;
    let (owner, rest) = path.split_once('/')?;
    (!owner.is_empty() && !rest.is_empty()).then_some(owner)
}

pub fn main_url(main: &str) -> String {
    format!("https://github.com/{main}.git")
}

#[cfg(test)]
mod tests {
    use super::*;
    const MAIN: &str = "CCExtractor/ccextractor";

    #[test]
    fn fork_owner_from_its_url() {
        let cases = [
            ("https://github.com/alice/ccextractor.git", Some("alice")),
            ("https://github.com/Bob-2/ccextractor", Some("Bob-2")),
            ("http://github.com/carol/x.git", Some("carol")),
            ("https://github.com//x.git", None),
            ("https://github.com/alice", None),
            ("https://gitlab.com/alice/ccextractor.git", None),
        ];
        for (url, owner) in cases {
            assert_eq!(owner_of(url), owner, "{url}");
        }
    }

    #[test]
    fn repository_for_run_table() {
        let fork = |l: &str| {
            Ok(Repository::Fork {
                url: format!("https://github.com/{l}/ccextractor.git"),
            })
        };
        let cases = [
            (
                "CCExtractor/ccextractor",
                Role::Admin,
                None,
                Ok(Repository::Main),
            ),
            (
                "ccextractor/CCEXTRACTOR",
                Role::Tester,
                None,
                Ok(Repository::Main),
            ),
            (
                "CCExtractor/ccextractor",
                Role::Contributor,
                None,
                Ok(Repository::Main),
            ),
            (
                "CCExtractor/ccextractor",
                Role::User,
                Some("CCExtractor"),
                Err(Refusal::RoleForMain),
            ),
            (
                "alice/ccextractor",
                Role::User,
                Some("alice"),
                fork("alice"),
            ),
            (
                "Alice/CCExtractor",
                Role::User,
                Some("alice"),
                fork("alice"),
            ),
            (
                "alice/ccextractor",
                Role::Admin,
                Some("bob"),
                Err(Refusal::NotYourFork),
            ),
            (
                "alice/ccextractor",
                Role::User,
                None,
                Err(Refusal::NotYourFork),
            ),
            (
                "alice/ccextractor",
                Role::User,
                Some(""),
                Err(Refusal::NotYourFork),
            ),
            // An arbitrary repository of the caller's own is not a fork of the main one.
            (
                "alice/evil-miner",
                Role::Contributor,
                Some("alice"),
                Err(Refusal::NotYourFork),
            ),
            (
                "evil/repo",
                Role::Admin,
                Some("alice"),
                Err(Refusal::NotYourFork),
            ),
        ];
        for (repo, role, login, want) in cases {
            assert_eq!(
                repository_for_run(repo, MAIN, role, login),
                want,
                "{repo} {role:?} {login:?}"
            );
        }
    }

    #[test]
    fn review_h3_no_testing_identity_stub() {
        // Upstream returned the login "testuser" whenever TESTING was set; here only a stored
        // login counts, and there is no switch that changes that.
        assert_eq!(
            repository_for_run("testuser/ccextractor", MAIN, Role::Tester, None),
            Err(Refusal::NotYourFork)
        );
    }
}

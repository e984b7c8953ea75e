//! Repository names as the registry writes them (core-api.md §2.1): `<namespace>/<name>`, the
//! name possibly nested (`ns/a/b`), a single segment meaning the `library` namespace.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::config::Config;

/// `LIBRARY_NAMESPACE`'s default; single-segment names live there.
const LIBRARY_NAMESPACE: &str = "library";
const MAX_NAME_LEN: usize = 255;

static EXTENDED_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9][.a-z0-9_-]*(?:/[a-z0-9][.a-z0-9_-]*)*$").expect("valid regex")
});
static FLAT_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9][.a-z0-9_-]*$").expect("valid regex"));
static NAMESPACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9][.a-z0-9_-]*$").expect("valid regex"));

/// A valid repository name: the namespace and the repository within it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoName {
    pub namespace: String,
    pub name: String,
}

/// Why a name is not a repository name; the texts are Quay's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Invalid repository name: {0}")]
    Invalid(String),
    #[error("Nested repositories are not supported. Found: {0}")]
    Nested(String),
}

/// The naming switches of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct NamingRules {
    /// `FEATURE_EXTENDED_REPOSITORY_NAMES`, default true.
    pub extended_names: bool,
    /// `FEATURE_LIBRARY_SUPPORT`, default true.
    pub library_support: bool,
}

impl NamingRules {
    pub fn from_config(config: &Config) -> NamingRules {
        NamingRules {
            extended_names: config.features.extended_repository_names,
            library_support: config.features.library_support,
        }
    }
}

impl RepoName {
    pub fn parse(text: &str, rules: NamingRules) -> Result<RepoName, NameError> {
        let invalid = || NameError::Invalid(text.to_owned());
        let (namespace, name) = match text.split_once('/') {
            Some((namespace, name)) => (namespace, name),
            None if rules.library_support => (LIBRARY_NAMESPACE, text),
            None => return Err(invalid()),
        };
        if !NAMESPACE.is_match(namespace) || name.len() > MAX_NAME_LEN {
            return Err(invalid());
        }
        if !rules.extended_names && name.contains('/') {
            return Err(NameError::Nested(text.to_owned()));
        }
        let pattern = if rules.extended_names {
            &EXTENDED_NAME
        } else {
            &FLAT_NAME
        };
        if !pattern.is_match(name) {
            return Err(invalid());
        }
        Ok(RepoName {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: NamingRules = NamingRules {
        extended_names: true,
        library_support: true,
    };

    fn parse(text: &str) -> Result<String, NameError> {
        RepoName::parse(text, DEFAULTS).map(|n| format!("{}|{}", n.namespace, n.name))
    }

    #[test]
    fn names() {
        assert_eq!(parse("alice/app"), Ok("alice|app".into()));
        assert_eq!(parse("alice/a/b.c_d-e"), Ok("alice|a/b.c_d-e".into()));
        assert_eq!(parse("ubuntu"), Ok("library|ubuntu".into()));
        assert!(parse("Alice/app").is_err());
        assert!(parse("alice/App").is_err());
        assert!(parse("alice/").is_err());
        assert!(parse("alice//x").is_err());
        assert!(parse("alice/-x").is_err());
        assert!(parse(&format!("a/{}", "x".repeat(256))).is_err());
        let flat = NamingRules {
            extended_names: false,
            library_support: false,
        };
        assert_eq!(
            RepoName::parse("a/b/c", flat),
            Err(NameError::Nested("a/b/c".into()))
        );
        assert!(RepoName::parse("ubuntu", flat).is_err());
    }
}

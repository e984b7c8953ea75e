//! Shared validation rules (superuser-api.md §5.8).

use std::sync::LazyLock;

use regex::Regex;

use super::Error;

static NAMESPACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([a-z0-9]+(?:[._-][a-z0-9]+)*)$").expect("valid regex"));

pub fn validate_namespace_name(name: &str) -> Result<(), Error> {
    if !NAMESPACE.is_match(name) {
        return Err(Error::UsernameCharacters(name.into()));
    }
    if !(2..=255).contains(&name.len()) {
        return Err(Error::UsernameLength(name.into()));
    }
    Ok(())
}

/// Non-empty, at most 254 characters, one `@` between a local part and a domain of at least
/// two non-empty labels. A missing address prints as Python's `None`.
pub fn validate_email(email: Option<&str>) -> Result<(), Error> {
    let Some(email) = email else {
        return Err(Error::InvalidEmail("None".into()));
    };
    let valid = !email.is_empty()
        && email.len() <= 254
        && email.matches('@').count() == 1
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.split('.').count() >= 2
                && domain.split('.').all(|l| !l.is_empty())
        });
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidEmail(email.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_namespace_name("newuser").is_ok());
        assert!(validate_namespace_name("a.b-c_d").is_ok());
        assert!(matches!(
            validate_namespace_name("a"),
            Err(Error::UsernameLength(_))
        ));
        assert!(matches!(
            validate_namespace_name("Bad User!"),
            Err(Error::UsernameCharacters(_))
        ));
        assert!(matches!(
            validate_namespace_name("a..b"),
            Err(Error::UsernameCharacters(_))
        ));
    }

    #[test]
    fn emails() {
        assert!(validate_email(Some("a@example.com")).is_ok());
        assert!(validate_email(Some("a@localhost")).is_err());
        assert!(validate_email(Some("a@@b.c")).is_err());
        assert_eq!(
            validate_email(None).unwrap_err().to_string(),
            "Invalid email address: None"
        );
    }
}

//! Avatars (superuser-api.md §4.1): a hash of the e-mail (or the name) and a palette colour.

use serde::Serialize;
use sha2::{Digest, Sha256};

const COLORS: [&str; 32] = [
    "#969696", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
    "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7",
    "#bcbd22", "#1f77b4", "#17becf", "#9edae5", "#393b79", "#5254a3", "#6b6ecf", "#9c9ede",
    "#9ecae1", "#31a354", "#b5cf6b", "#a1d99b", "#8c6d31", "#ad494a", "#e7ba52", "#a55194",
];

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AvatarKind {
    User,
    Robot,
    Org,
    Team,
    /// An OAuth application.
    App,
}

#[derive(Debug, Clone, Serialize)]
pub struct Avatar {
    pub name: String,
    pub hash: String,
    pub color: &'static str,
    pub kind: AvatarKind,
}

impl Avatar {
    /// `AVATAR_KIND: local`: SHA-256 of the trimmed, lower-cased e-mail (the name without one);
    /// the colour is the first two hex digits modulo the palette size.
    pub fn new(name: &str, email: Option<&str>, kind: AvatarKind) -> Avatar {
        let source = email
            .filter(|e| !e.is_empty())
            .unwrap_or(name)
            .trim()
            .to_lowercase();
        let hash = hex::encode(Sha256::digest(source.as_bytes()));
        let index = u8::from_str_radix(&hash[..2], 16).unwrap_or(0) as usize % COLORS.len();
        Avatar {
            name: name.to_owned(),
            hash,
            color: COLORS[index],
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_examples() {
        let a = Avatar::new("quayadmin", Some("quay@quay.com"), AvatarKind::User);
        assert_eq!(
            a.hash,
            "b28d563a6dc76b4431fc7b0524bbff6b810387dac86d9303874871839859c7cc"
        );
        assert_eq!(a.color, "#17becf");
        let b = Avatar::new("newuser", Some("newuser@example.com"), AvatarKind::User);
        assert_eq!(
            b.hash,
            "f338a2c83bfdde84abe2d3348994d70c34185a234cfbf32f9e323e3578e7e771"
        );
        assert_eq!(b.color, "#9edae5");
    }
}

//! `RegistryPath`: a `/v2/<name>/...` path split once into the repository name and the
//! resource, at the last `/manifests/`, `/blobs/`, `/tags/list` or `/referrers/` (names may
//! contain slashes, so the resource is found from the right).

/// The resource a registry path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceKind {
    /// `manifests/<reference>`
    Manifest(String),
    /// `blobs/<digest>`
    Blob(String),
    /// `blobs/uploads/`
    Uploads,
    /// `blobs/uploads/<uuid>`
    Upload(String),
    /// `tags/list`
    TagsList,
    /// `referrers/<digest>`
    Referrers(String),
}

impl ResourceKind {
    /// The resource's route as `/metrics` names it.
    pub fn route_template(&self) -> &'static str {
        match self {
            ResourceKind::Manifest(_) => "/v2/{name}/manifests/{reference}",
            ResourceKind::Blob(_) => "/v2/{name}/blobs/{digest}",
            ResourceKind::Uploads => "/v2/{name}/blobs/uploads/",
            ResourceKind::Upload(_) => "/v2/{name}/blobs/uploads/{uuid}",
            ResourceKind::TagsList => "/v2/{name}/tags/list",
            ResourceKind::Referrers(_) => "/v2/{name}/referrers/{digest}",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryPath {
    /// The repository name as written (validated later).
    pub repo: String,
    pub kind: ResourceKind,
}

impl RegistryPath {
    /// Parses the part after `/v2/`; None when it names no registry resource.
    pub fn parse(path: &str) -> Option<RegistryPath> {
        if let Some(repo) = path.strip_suffix("/tags/list") {
            return Self::with(repo, ResourceKind::TagsList);
        }
        let (at, marker) = ["/manifests/", "/blobs/", "/referrers/"]
            .into_iter()
            .filter_map(|marker| path.rfind(marker).map(|at| (at, marker)))
            .max_by_key(|(at, _)| *at)?;
        let repo = &path[..at];
        let rest = &path[at + marker.len()..];
        let kind = match marker {
            "/manifests/" => ResourceKind::Manifest(rest.to_owned()),
            "/referrers/" => ResourceKind::Referrers(rest.to_owned()),
            _ => match rest {
                "uploads" | "uploads/" => ResourceKind::Uploads,
                _ => match rest.strip_prefix("uploads/") {
                    Some(uuid) => ResourceKind::Upload(uuid.to_owned()),
                    None => ResourceKind::Blob(rest.to_owned()),
                },
            },
        };
        let single_segment = match &kind {
            ResourceKind::Manifest(s)
            | ResourceKind::Blob(s)
            | ResourceKind::Upload(s)
            | ResourceKind::Referrers(s) => !s.is_empty() && !s.contains('/'),
            _ => true,
        };
        if !single_segment {
            return None;
        }
        Self::with(repo, kind)
    }

    fn with(repo: &str, kind: ResourceKind) -> Option<RegistryPath> {
        (!repo.is_empty()).then(|| RegistryPath {
            repo: repo.to_owned(),
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str) -> Option<(String, ResourceKind)> {
        RegistryPath::parse(path).map(|p| (p.repo, p.kind))
    }

    #[test]
    fn splits_at_the_last_marker() {
        use ResourceKind::*;
        assert_eq!(
            parse("a/b/manifests/latest"),
            Some(("a/b".into(), Manifest("latest".into())))
        );
        assert_eq!(
            parse("a/b/c/blobs/sha256:00"),
            Some(("a/b/c".into(), Blob("sha256:00".into())))
        );
        assert_eq!(parse("a/b/blobs/uploads/"), Some(("a/b".into(), Uploads)));
        assert_eq!(parse("a/b/blobs/uploads"), Some(("a/b".into(), Uploads)));
        assert_eq!(
            parse("a/b/blobs/uploads/1234-ab"),
            Some(("a/b".into(), Upload("1234-ab".into())))
        );
        assert_eq!(parse("a/b/tags/list"), Some(("a/b".into(), TagsList)));
        assert_eq!(
            parse("a/b/referrers/sha256:00"),
            Some(("a/b".into(), Referrers("sha256:00".into())))
        );
        // Names may contain the resource words themselves.
        assert_eq!(
            parse("a/blobs/x/manifests/v1"),
            Some(("a/blobs/x".into(), Manifest("v1".into())))
        );
        assert_eq!(
            parse("a/manifests/blobs/sha256:1"),
            Some(("a/manifests".into(), Blob("sha256:1".into())))
        );
    }

    #[test]
    fn rejects_non_resources() {
        assert_eq!(parse("a/b"), None);
        assert_eq!(parse("/manifests/latest"), None);
        assert_eq!(parse("a/b/manifests/"), None);
        assert_eq!(parse("a/b/blobs/uploads/x/y"), None);
        assert_eq!(parse("tags/list"), None);
    }
}

//! The registry protocol (core-api.md §2) end to end with real clients, on LocalStorage and on
//! S3 (a moto server), each on SQLite and PostgreSQL: images and indexes, mounts, chunked
//! uploads, referrers, garbage collection, and bad input that must change nothing.

mod deletes;
mod gc;
mod images;
mod paging;
mod referrers;
mod rejects;
mod sparse;
mod tag_params;

use crate::harness::fixtures::{admin, create_user, Registry, Tools, User};
use crate::harness::storage::Storage;
use crate::harness::{Backend, Berth, Client, Options, Resp};

/// A server on `storage` with user `dev`, and tools with private state.
pub struct Setup {
    pub berth: Berth,
    /// The superuser `admin`.
    pub admin: Client,
    pub user: User,
    pub tools: Tools,
}

impl Setup {
    pub async fn start(backend: Backend, storage: Storage, fast_gc: bool) -> Setup {
        let options = Options {
            s3: storage == Storage::S3,
            fast_gc,
            ..Options::default()
        };
        let berth = Berth::start_with(backend, options).await;
        let admin = admin(&berth).await;
        let user = create_user(&admin, "dev").await;
        Setup {
            berth,
            admin,
            user,
            tools: Tools::new(),
        }
    }

    /// The raw `/v2` client of `dev` on `repo` (pull and push).
    pub async fn registry(&self, repo: &str) -> Registry {
        Registry::login(&self.berth, &self.user.username, &self.user.password, repo).await
    }
}

/// A blob's bytes as a client gets them, `range` (`bytes=a-b`) included: from the registry,
/// or from storage when the registry redirects there (S3).
pub async fn download_blob(
    berth: &Berth,
    registry: &Registry,
    digest: &str,
    range: Option<&str>,
) -> Resp {
    let get = |client: &Client, url: &str| {
        let request = client.get(url);
        match range {
            Some(range) => request.header("Range", range),
            None => request,
        }
    };
    let resp = get(
        registry.client(),
        &registry.path(&format!("blobs/{digest}")),
    )
    .send()
    .await;
    match resp.status {
        302 => {
            let location = resp.header("Location").expect("Location");
            get(&Client::anon(berth), location).send().await
        }
        _ => resp,
    }
}

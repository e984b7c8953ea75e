//! Quay's `/api/v1` families other than the superuser panel. Their routes are in the table of
//! `http::endpoints`.

pub mod app_token;
pub mod applications;
pub mod authorization;
pub mod build;
pub mod discovery;
pub mod logs;
pub mod manifest;
pub mod messages;
pub mod mirror;
pub mod notification;
pub mod organization;
pub mod permission;
pub mod policy;
pub mod prototype;
pub mod proxy_cache;
pub mod quota;
pub mod repository;
pub mod robot;
pub mod search;
pub mod tag;
pub mod team;
pub mod user;

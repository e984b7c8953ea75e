//! Quay's `/api/v1` families other than the superuser panel.

pub mod app_token;
pub mod applications;
pub mod authorization;
pub mod logs;
pub mod manifest;
pub mod organization;
pub mod permission;
pub mod prototype;
pub mod repository;
pub mod robot;
pub mod tag;
pub mod team;
pub mod user;

use axum::routing::{any, delete, get, post, put};
use axum::Router;

use crate::app::AppState;
use crate::http::session;

/// Routes behind the `/api/v1` pipeline (authentication, CSRF, ...).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/user/", get(user::get_current_user))
        .route("/signin", post(session::signin))
        .route("/signout", post(session::signout))
        .route("/organization/", post(organization::create_organization))
        .route(
            "/organization/{orgname}/logs",
            get(logs::list_organization_logs),
        )
        .route(
            "/organization/{orgname}/aggregatelogs",
            get(logs::aggregate_organization_logs),
        )
        .route(
            "/organization/{orgname}/exportlogs",
            post(logs::export_organization_logs),
        )
        .route(
            "/repository",
            post(repository::create_repository).get(repository::list_repositories),
        )
        .route("/repository/{*path}", any(repository::dispatch))
        .route("/user/starred", post(repository::star_repository))
        .route(
            "/user/starred/{*repository}",
            delete(repository::unstar_repository),
        )
        .route(
            "/user/apptoken",
            get(app_token::list_app_tokens).post(app_token::create_app_token),
        )
        .route(
            "/user/apptoken/{token_uuid}",
            get(app_token::get_app_token).delete(app_token::revoke_app_token),
        )
        .route("/user/logs", get(logs::list_user_logs))
        .route("/user/exportlogs", post(logs::export_user_logs))
        .route("/user/aggregatelogs", get(logs::aggregate_user_logs))
        .route(
            "/organization/{orgname}/team/{teamname}",
            put(team::update_team).delete(team::delete_team),
        )
        .route(
            "/organization/{orgname}/team/{teamname}/members",
            get(team::list_team_members),
        )
        .route(
            "/organization/{orgname}/team/{teamname}/members/{membername}",
            put(team::add_team_member).delete(team::remove_team_member),
        )
        .route(
            "/organization/{orgname}/team/{teamname}/permissions",
            get(team::list_team_permissions),
        )
        .route("/user/robots", get(robot::list_user_robots))
        .route(
            "/user/robots/{robot_shortname}",
            get(robot::get_user_robot)
                .put(robot::create_user_robot)
                .delete(robot::delete_user_robot),
        )
        .route(
            "/user/robots/{robot_shortname}/regenerate",
            post(robot::regenerate_user_robot),
        )
        .route(
            "/user/robots/{robot_shortname}/permissions",
            get(robot::get_user_robot_permissions),
        )
        .route(
            "/organization/{orgname}/robots",
            get(robot::list_org_robots),
        )
        .route(
            "/organization/{orgname}/robots/{robot_shortname}",
            get(robot::get_org_robot)
                .put(robot::create_org_robot)
                .delete(robot::delete_org_robot),
        )
        .route(
            "/organization/{orgname}/robots/{robot_shortname}/regenerate",
            post(robot::regenerate_org_robot),
        )
        .route(
            "/organization/{orgname}/robots/{robot_shortname}/permissions",
            get(robot::get_org_robot_permissions),
        )
        .route(
            "/organization/{orgname}/prototypes",
            get(prototype::list_prototypes).post(prototype::create_prototype),
        )
        .route(
            "/organization/{orgname}/prototypes/{prototypeid}",
            put(prototype::update_prototype).delete(prototype::delete_prototype),
        )
        .route(
            "/organization/{orgname}/applications",
            post(applications::create_application),
        )
        .route(
            "/organization/{orgname}/applications/{client_id}/tokens",
            post(applications::create_token),
        )
        .route(
            "/organization/{orgname}/applications/{client_id}/tokens",
            get(applications::list_tokens),
        )
        .route(
            "/organization/{orgname}/applications/{client_id}/tokens/{token_uuid}",
            delete(applications::revoke_token),
        )
        .route(
            "/user/authorizations",
            get(authorization::list_authorizations),
        )
        .route(
            "/user/authorizations/{access_token_uuid}",
            get(authorization::get_authorization).delete(authorization::delete_authorization),
        )
        .route(
            "/user/assignedauthorization",
            get(authorization::list_assigned_authorizations),
        )
        .route(
            "/user/assignedauthorization/{assigned_authorization_uuid}",
            delete(authorization::delete_assigned_authorization),
        )
}

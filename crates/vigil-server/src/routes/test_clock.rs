//! Beyond Persona, for tests only: `POST /test-clock/advance` with `meta.seconds` moves
//! this server's clock forward, so expiry can be tested without waiting. Served only when
//! the server runs with `--test-clock`; otherwise it is an unknown path (404).

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::accounts::allow_meta;
use super::accounts::owner::optional_integer;
use crate::protocol::{finish, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::AppState;

pub async fn advance(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    if !state.config.test_clock {
        return Err(super::not_found().await);
    }
    let meta = body.meta()?;
    allow_meta(&meta, &["seconds"])?;
    let seconds = optional_integer(
        &meta,
        "/meta",
        "seconds",
        1..=10 * 365 * 86_400,
        "must be a whole number of seconds from 1 to ten years",
    )?
    .ok_or_else(|| ApiError::bad_field("/meta/seconds", "is missing"))?;
    state.advance_clock(seconds * 1000);
    let now = state.now();
    Ok(finish(
        json!({ "data": { "type": "test-clock", "id": ctx.env_id(), "attributes": { "now": vigil_domain::time::format_millis(now) } } }),
        &ctx,
        StatusCode::OK,
    ))
}

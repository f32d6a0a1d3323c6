//! Readiness and metrics (no API key needed).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::AppState;

pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping() {
        // Which server does the background work, for operators running several.
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "background": state.leader.is_leading()})),
        ),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
        }
    }
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}

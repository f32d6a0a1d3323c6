//! Beyond Persona: `GET /tool-calls`, the agent tool server's execution log for the
//! environment (calls made with this environment's keys), newest first. Reading it needs
//! `event.read`, as the event log does.

use axum::extract::State;
use vigil_domain::permissions::Access;
use vigil_domain::tool_call::ToolCall;
use vigil_store::{term, PageRequest, RecordFilter};

use crate::protocol::{paging, ApiResult, Ctx, Reply};
use crate::views;
use crate::AppState;

/// `filter[tool]`, `filter[outcome]` (ok, refused, declined, invalid, error).
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("event", Access::Read)?;
    ctx.query.allow_filters(&["tool", "outcome"])?;
    let mut filter = RecordFilter::default();
    for name in ["tool", "outcome"] {
        if let Some(value) = ctx.query.filter.get(name) {
            filter = filter.any_of(vec![term(name, value)]);
        }
    }
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<ToolCall>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/tool-calls",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |c| c.id.clone(),
        |c| Ok(Some(views::tool_call::resource(c))),
    )
}

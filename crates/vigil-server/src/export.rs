//! Events for a warehouse: one environment's events in commit order, rendered as the API
//! renders them (JSON:API `event` resources, kebab keys, one API version), one JSON object
//! per line (NDJSON, which BigQuery, Snowflake and DuckDB load as is).

use std::io::Write;
use std::sync::Arc;

use vigil_store::Store;

use crate::protocol::version::ApiVersion;
use crate::views;

/// Which events to write.
pub struct Range {
    pub environment_id: String,
    /// Created at or after (milliseconds).
    pub since: i64,
    /// Created at or before (milliseconds).
    pub until: Option<i64>,
    pub version: ApiVersion,
}

/// Write the events of `range` to `out`, oldest first; `progress` hears each log position
/// passed (out of the log's last). Returns how many events were written.
pub fn ndjson(
    store: &Arc<dyn Store>,
    range: &Range,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(i64),
) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    let mut position = 0;
    let mut written = 0;
    loop {
        let batch = store.events_after(position, 2_000)?;
        let Some(last) = batch.last().map(|e| e.seq) else {
            break;
        };
        for logged in batch {
            let event = &logged.event;
            let in_range = logged.environment_id == range.environment_id
                && event.created_at >= range.since
                && range.until.is_none_or(|until| event.created_at <= until);
            if in_range {
                serde_json::to_writer(&mut *out, &views::event::resource(event, range.version))?;
                out.write_all(b"\n")?;
                written += 1;
            }
        }
        position = last;
        progress(position);
    }
    out.flush()?;
    Ok(written)
}

//! List filters of the workflow resources (inquiries, sessions, cases), turned into the
//! store's record filter.

use vigil_domain::time::parse_millis;
use vigil_store::{term, RecordFilter};

use crate::protocol::query::QueryParams;
use crate::protocol::{ApiError, ApiResult};

/// `filter[name]` (comma-separated values) as `key:value` terms.
pub(crate) fn terms(query: &QueryParams, name: &str, key: &str) -> Vec<String> {
    query
        .filter_list(name)
        .iter()
        .map(|v| term(key, v))
        .collect()
}

fn time(query: &QueryParams, name: &str) -> ApiResult<Option<i64>> {
    query
        .filter
        .get(name)
        .map(|text| {
            parse_millis(text).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "filter[{name}] must be an ISO 8601 date or date-time, got `{text}`"
                ))
            })
        })
        .transpose()
}

/// `filter[name]` as a time in milliseconds, if given.
pub(crate) fn time_filter(query: &QueryParams, name: &str) -> ApiResult<Option<i64>> {
    time(query, name)
}

/// A record filter holding `filter[created-at-start]` and `filter[created-at-end]`.
pub(crate) fn created_between(query: &QueryParams) -> ApiResult<RecordFilter> {
    Ok(RecordFilter {
        created_from: time(query, "created-at-start")?,
        created_to: time(query, "created-at-end")?,
        ..Default::default()
    })
}

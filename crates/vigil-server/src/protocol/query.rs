//! Query strings: `filter[...]`, `page[...]`, `include`, `fields[type]` (deepObject style).

use std::collections::BTreeMap;

use super::error::{ApiError, ApiResult};
use super::inflection::to_kebab;

#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    /// `filter[reference-id]=a,b` → `reference-id` → `a,b` (names normalised to kebab).
    pub filter: BTreeMap<String, String>,
    pub page_after: Option<String>,
    pub page_before: Option<String>,
    pub page_size: Option<String>,
    /// `include=account-type` as a list; `Some(empty)` when given but empty.
    pub include: Option<Vec<String>>,
    /// `fields[account]=reference-id,tags` sparse fieldsets by type.
    pub fields: BTreeMap<String, Vec<String>>,
    /// `sort=sla-expires-at` (beyond Persona; only lists that say so take it).
    pub sort: Option<String>,
    /// `limit=1000`: count no further (beyond Persona; only counts take it).
    pub limit: Option<String>,
}

/// Split `name[key]` into `("name", Some("key"))`.
fn bracketed(name: &str) -> (&str, Option<&str>) {
    match name.split_once('[') {
        Some((outer, rest)) => (outer, rest.strip_suffix(']')),
        None => (name, None),
    }
}

pub fn parse(raw: Option<&str>) -> ApiResult<QueryParams> {
    let mut params = QueryParams::default();
    let Some(raw) = raw else { return Ok(params) };
    for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
        let value = value.into_owned();
        match bracketed(&name) {
            ("filter", Some(key)) if !key.is_empty() => {
                params.filter.insert(to_kebab(key), value);
            }
            ("filter", _) => {
                return Err(ApiError::bad_request(format!(
                    "`{name}` names no filter (write filter[name]=value, e.g. filter[reference-id]=user-1)"
                )))
            }
            ("page", Some("after")) => params.page_after = Some(value),
            ("page", Some("before")) => params.page_before = Some(value),
            ("page", Some("size")) => params.page_size = Some(value),
            ("page", key) => return Err(ApiError::bad_request(format!("page[{}] is not a pagination parameter (use page[after], page[before], page[size])", key.unwrap_or("")))),
            ("include", None) => {
                params.include = Some(value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(to_kebab).collect());
            }
            ("sort", None) => params.sort = Some(value.trim().to_string()),
            ("limit", None) => params.limit = Some(value.trim().to_string()),
            ("fields", Some(kind)) if crate::views::is_resource_type(kind) => {
                params.fields.insert(kind.to_string(), value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(to_kebab).collect());
            }
            ("fields", kind) => {
                return Err(ApiError::bad_request(format!(
                    "fields[{}] names no resource type vigil returns (e.g. fields[account]=reference-id,tags)",
                    kind.unwrap_or("")
                )))
            }
            // Anything else is refused, not ignored: `?reference-id=x&size=5` from a client
            // that meant filter[reference-id] and page[size] must not silently get every
            // record back.
            _ => {
                let shown: String = name.chars().take(64).collect();
                return Err(ApiError::bad_request(format!(
                    "`{shown}` is not a query parameter here (filters are filter[name], paging page[size], page[after], page[before]; also include and fields[type])"
                )));
            }
        }
    }
    Ok(params)
}

impl QueryParams {
    /// Reject filters a handler does not support, naming the offending one.
    pub fn allow_filters(&self, allowed: &[&str]) -> ApiResult<()> {
        self.allow(allowed, &[]).map(|_| ())
    }

    /// `sort` and `limit` are taken by a few routes only: anywhere else they are refused
    /// here, before the handler (a retrieve reads no filters, so would never see them).
    pub fn only_where_taken(&self, route: &str) -> ApiResult<()> {
        if self.sort.is_some() && route != "/api/v1/cases" {
            return Err(ApiError::bad_request(
                "sort is not a parameter here (only GET /cases takes it)",
            ));
        }
        if self.limit.is_some() && route != "/api/v1/case-counts" {
            return Err(ApiError::bad_request(
                "limit is not a parameter here (only GET /case-counts takes it)",
            ));
        }
        Ok(())
    }

    /// For a count: the filters it supports and its `limit` (a whole number from 1 to
    /// 1,000,000), if given (no other route gets this far with one: `only_where_taken`).
    pub fn allow_count(&self, allowed: &[&str]) -> ApiResult<Option<u64>> {
        let limit = match &self.limit {
            None => None,
            Some(text) => Some(
                text.parse::<u64>()
                    .ok()
                    .filter(|n| (1..=1_000_000).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_request("limit must be a whole number from 1 to 1000000")
                    })?,
            ),
        };
        self.allow(allowed, &[])?;
        Ok(limit)
    }

    /// Reject filters and a `sort` a handler does not support; the sort asked for, if any.
    pub fn allow(&self, allowed: &[&str], sorts: &[&str]) -> ApiResult<Option<&str>> {
        if let Some(sort) = &self.sort {
            if !sorts.contains(&sort.as_str()) {
                let hint = if sorts.is_empty() {
                    "this list is always newest first".to_string()
                } else {
                    format!("supported: {}", sorts.join(", "))
                };
                let shown: String = sort.chars().take(64).collect();
                return Err(ApiError::bad_request(format!(
                    "sort `{shown}` is not supported ({hint})"
                )));
            }
        }
        if let Some(unknown) = self.filter.keys().find(|k| !allowed.contains(&k.as_str())) {
            let hint = if allowed.is_empty() {
                "this list takes no filters".to_string()
            } else {
                format!("supported: {}", allowed.join(", "))
            };
            return Err(ApiError::bad_request(format!(
                "filter[{unknown}] is not a supported filter ({hint})"
            )));
        }
        Ok(self.sort.as_deref())
    }

    /// A comma-separated filter as a list.
    pub fn filter_list(&self, name: &str) -> Vec<String> {
        self.filter
            .get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_object_parameters() {
        let q = parse(Some("filter%5Breference_id%5D=a%2Cb&page%5Bsize%5D=5&include=account-type&fields%5Baccount%5D=tags,referenceId")).unwrap();
        assert_eq!(q.filter_list("reference-id"), vec!["a", "b"]);
        assert_eq!(q.page_size.as_deref(), Some("5"));
        assert_eq!(q.include, Some(vec!["account-type".to_string()]));
        assert_eq!(q.fields["account"], vec!["tags", "reference-id"]);
        assert!(parse(Some("page[limit]=3")).is_err());
        assert!(q.allow_filters(&["status"]).is_err());
        for refused in [
            "reference-id=x",
            "size=5",
            "filter[]=x",
            "filter=x",
            "fields[nope]=a",
            "fields=a",
            "include[x]=y",
        ] {
            assert!(parse(Some(refused)).is_err(), "{refused}");
        }
        assert!(parse(Some(
            "fields[list-item/name]=name-first&fields[inquiry]=status"
        ))
        .is_ok());
    }
}

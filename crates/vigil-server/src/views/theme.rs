//! Theme sets as Persona's `theme-set` resources.

use serde_json::{json, Value};
use vigil_domain::theme::ThemeSet;
use vigil_domain::time::format_millis;

use super::time;

pub const TYPE: &str = "theme-set";

pub fn resource(theme: &ThemeSet) -> Value {
    json!({
        "type": TYPE,
        "id": theme.id,
        "attributes": {
            "name": theme.name,
            "status": theme.status,
            "styles": theme.styles,
            "created-at": format_millis(theme.created_at),
            "updated-at": format_millis(theme.updated_at),
            "archived-at": time(theme.archived_at),
        },
    })
}

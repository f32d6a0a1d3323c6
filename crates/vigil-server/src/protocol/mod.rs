//! The protocol layer: everything Persona's wire format requires of every resource,
//! written once. Resource handlers in `routes/` only parse, call storage and build views.

pub mod body;
pub mod context;
pub mod error;
pub mod inflection;
pub mod metrics;
pub mod paging;
pub mod query;
pub mod ratelimit;
pub mod render;
pub mod upload;
pub mod version;
pub mod write;

pub use body::ApiBody;
pub use context::Ctx;
pub use error::{ApiError, ApiResult};
pub use render::{file_response, finish, Reply};
pub use upload::UploadBody;
pub use write::{write, Doc, Written};

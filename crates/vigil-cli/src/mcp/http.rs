//! `/mcp` on `vigil serve`: the same tool server over streamable HTTP. Each request must
//! carry one of the server's API keys (`Authorization: Bearer`); a missing or bad key is
//! an HTTP 401 before the protocol is reached, and each tool call then runs through the
//! API with the caller's own key, so the key's permissions bound what the agent can do.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use vigil_mcp::{Caller, ToolServer};
use vigil_server::protocol::context;
use vigil_server::AppState;

use super::log::Log;

/// What `vigil serve` offers on `/mcp` (the same policy as `vigil mcp`'s flags).
#[derive(clap::Args)]
pub struct ServeMcpArgs {
    /// Let `/mcp`'s tools change data (read-only without it).
    #[arg(long, env = "VIGIL_MCP_WRITE")]
    mcp_write: bool,
    /// Destructive tools `/mcp` allows (comma-separated tool names, or `*`); they also need
    /// --mcp-write.
    #[arg(long, env = "VIGIL_MCP_ALLOW_DESTRUCTIVE", value_delimiter = ',')]
    mcp_allow_destructive: Vec<String>,
    /// Offer only these toolsets on `/mcp` (comma-separated).
    #[arg(long, env = "VIGIL_MCP_TOOLSETS", value_delimiter = ',')]
    mcp_toolsets: Option<Vec<String>>,
    /// Offer three tools (search, describe, run) on `/mcp` instead of one per operation.
    #[arg(long, env = "VIGIL_MCP_COMPACT")]
    mcp_compact: bool,
    /// The largest tool result on `/mcp`, in bytes of JSON.
    #[arg(long, env = "VIGIL_MCP_MAX_RESULT_BYTES", default_value_t = 24_000)]
    mcp_max_result_bytes: usize,
}

impl ServeMcpArgs {
    pub fn settings(&self) -> anyhow::Result<vigil_mcp::Settings> {
        super::settings(
            "--mcp-",
            self.mcp_toolsets.clone(),
            self.mcp_write,
            self.mcp_allow_destructive.clone(),
            self.mcp_compact,
            self.mcp_max_result_bytes,
        )
    }
}

/// Where the server's own API is reached from inside it: the listening address, or
/// loopback when it listens on every address.
pub fn own_api(address: SocketAddr) -> String {
    let ip = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/api/v1", SocketAddr::new(ip, address.port()))
}

/// The `Host` names `/mcp` answers: loopback and the public URL's host. Others are
/// refused (403), against DNS rebinding.
fn allowed_hosts(public_url: &str) -> Vec<String> {
    let mut hosts = vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()];
    let authority = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    if !authority.is_empty() {
        hosts.push(authority.to_string());
    }
    hosts
}

/// The `/mcp` route, and the token that closes its open streams at shutdown.
pub fn router(
    state: &AppState,
    address: SocketAddr,
    settings: vigil_mcp::Settings,
) -> anyhow::Result<(Router, impl FnOnce())> {
    let api = own_api(address);
    let log: Arc<dyn vigil_mcp::CallLog> = Arc::new(Log::store(
        state.store.clone(),
        vigil_domain::tool_call::EXTERNAL_ENVIRONMENT.into(),
        api.clone(),
    ));
    let tools = ToolServer::for_api(
        &api,
        String::new(),
        None,
        settings,
        Some(log),
        "an unknown caller",
    )?;
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(allowed_hosts(&state.config.public_url));
    let stop = config.cancellation_token.clone();
    let service = StreamableHttpService::new(
        move || Ok(tools.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let router = Router::new().route_service("/mcp", service).route_layer(
        axum::middleware::from_fn_with_state(state.clone(), authorize),
    );
    Ok((router, move || stop.cancel()))
}

/// Let only requests with a valid key reach the protocol, and tell the tool server who
/// they are from.
async fn authorize(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = context::peer(request.extensions());
    match context::authenticate(&state, request.headers(), peer).await {
        Ok((caller, env)) => {
            // The tools call the API with the caller's secret, which must be a key: a
            // console session would need its environment on every call.
            let vigil_domain::actor::Actor::ApiKey { id, name } = &caller.actor else {
                return vigil_server::protocol::ApiError::Forbidden {
                    details: "The agent tools take an API key, not a console session".into(),
                }
                .into_response();
            };
            // Authenticated, so the header holds the key.
            let secret = context::bearer(request.headers())
                .unwrap_or_default()
                .to_string();
            request.extensions_mut().insert(Caller {
                key: secret,
                label: format!("key {id} ({name}) over HTTP"),
                scope: Some(env.id.clone()),
            });
            next.run(request).await
        }
        Err(error) => {
            let mut response = error.into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tools_reach_the_server_they_run_in() {
        assert_eq!(
            own_api("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080/api/v1"
        );
        assert_eq!(
            own_api("[::]:81".parse().unwrap()),
            "http://[::1]:81/api/v1"
        );
        assert_eq!(
            own_api("10.0.0.5:80".parse().unwrap()),
            "http://10.0.0.5:80/api/v1"
        );
    }

    #[test]
    fn the_public_host_is_allowed() {
        let hosts = allowed_hosts("https://vigil.example.com/");
        assert!(hosts.contains(&"vigil.example.com".to_string()));
        assert!(hosts.contains(&"127.0.0.1".to_string()));
    }
}

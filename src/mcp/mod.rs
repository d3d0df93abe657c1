//! The MCP surface. Its tools are generated from the spec: build.rs writes
//! `generated/mcp-tools.json` from the operations marked `x-mcp` (name from the operationId,
//! JSON Schema input and output converted from the spec's), so a new operation marked in the
//! YAML is a tool without code here. A tool is its operation: a call is the operation's request,
//! with the caller's token, through the same middleware, authorisation, validation and limits
//! (`dispatch`), and its answer is cut to a size an agent can read (`call`). A few composed
//! tools (`composed`) answer an agent's usual question in one call, built on those tools.
//!
//! Transports: Streamable HTTP at `/api/v1/mcp` (mounted by `http`), and `spci mcp` over stdio,
//! which sends each call to the spci server at `SPCI_URL` with `SPCI_TOKEN`.
pub mod call;
pub mod composed;
pub mod dispatch;
pub mod server;
pub mod tools;

use rmcp::ServiceExt;
use std::sync::Arc;

/// `spci mcp`: MCP over stdin and stdout until the client closes them.
pub async fn stdio(url: String, token: String) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let dispatch = Arc::new(dispatch::Dispatch::Remote { client, base: url });
    let running = server::SpciMcp::new(dispatch, Some(token))
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("mcp: {e}"))?;
    running.waiting().await.map_err(|e| format!("mcp: {e}"))?;
    Ok(())
}

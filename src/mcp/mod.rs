//! The MCP surface. Its tools are generated from the spec: build.rs writes
//! `generated/mcp-tools.json` from the operations marked `x-mcp` (name from the operationId,
//! JSON Schema input and output converted from the spec's), so a new operation marked in the
//! YAML is a tool without code here. A tool is its operation: a call is the operation's request,
//! with the caller's token, through the same middleware, authorisation, validation and limits.
pub mod tools;

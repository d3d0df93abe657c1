//! The MCP server: the generated tools, each call sent as its operation's request.
use super::call::{self, Request};
use super::composed::{self, Composed, Failed, Steps};
use super::dispatch::Dispatch;
use super::tools;
use crate::api::{Role, Scope};
use poem::web::RemoteAddr;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

#[derive(Clone)]
pub struct SpciMcp {
    dispatch: Arc<Dispatch>,
    /// `Authorization` for every call (stdio: `SPCI_TOKEN`); over HTTP each request's own.
    authorization: Option<String>,
}

impl SpciMcp {
    pub fn new(dispatch: Arc<Dispatch>, token: Option<String>) -> Self {
        Self {
            dispatch,
            authorization: token.map(|t| format!("Bearer {t}")),
        }
    }

    /// The caller's `Authorization` (stdio: the configured token; HTTP: the request's) and
    /// address.
    fn caller(&self, context: &RequestContext<RoleServer>) -> (Option<String>, Option<RemoteAddr>) {
        let parts = context.extensions.get::<http::request::Parts>();
        let authorization = self.authorization.clone().or_else(|| {
            parts?
                .headers
                .get(http::header::AUTHORIZATION)?
                .to_str()
                .ok()
                .map(str::to_string)
        });
        let peer = parts.and_then(|p| p.extensions.get::<RemoteAddr>().cloned());
        (authorization, peer)
    }
}

/// The token's scopes and the user's role, from getCurrentUser's answer.
fn who(body: &[u8]) -> Option<(BTreeSet<Scope>, Role)> {
    let me: serde_json::Value = serde_json::from_slice(body).ok()?;
    let role = Role::parse(me["role"].as_str()?)?;
    let scopes = me["scopes"]
        .as_array()?
        .iter()
        .filter_map(|s| Scope::parse(s.as_str()?))
        .collect();
    Some((scopes, role))
}

/// A tool on offer: generated from an operation, or composed of several.
enum Offer {
    Generated(&'static tools::Tool),
    Composed(&'static Composed),
}

impl Offer {
    fn callable_by(&self, scopes: &BTreeSet<Scope>, role: Role) -> bool {
        match self {
            Offer::Generated(t) => t.callable_by(scopes, role),
            Offer::Composed(c) => c.callable_by(scopes, role),
        }
    }
}

/// The tools as MCP describes them, built once: the generated table in its order, then the
/// composed tools.
fn listed() -> &'static [(Offer, Tool)] {
    static T: OnceLock<Vec<(Offer, Tool)>> = OnceLock::new();
    T.get_or_init(|| {
        let generated = tools::all().iter().map(|t| {
            let mut v = json!({
                "name": t.name,
                "title": t.annotations["title"],
                "description": t.description,
                "inputSchema": t.input_schema,
                "annotations": t.annotations,
            });
            if let Some(o) = &t.output_schema {
                v["outputSchema"] = o.clone();
            }
            (Offer::Generated(t), v)
        });
        let composed = composed::ALL.iter().map(|c| {
            let v = json!({
                "name": c.name,
                "title": c.title,
                "description": c.description,
                "inputSchema": c.input_schema(),
                "annotations": {"title": c.title, "readOnlyHint": true,
                                "idempotentHint": true, "openWorldHint": false},
            });
            (Offer::Composed(c), v)
        });
        generated
            .chain(composed)
            .map(|(o, v)| {
                let tool = serde_json::from_value(v).expect("a listed tool is an MCP tool");
                (o, tool)
            })
            .collect()
    })
}

/// The steps of a composed tool: each a generated tool's request with the caller's token.
struct Caller<'a> {
    dispatch: &'a Dispatch,
    authorization: Option<String>,
    peer: Option<RemoteAddr>,
}

impl Steps for Caller<'_> {
    async fn step(&self, name: &'static str, args: Value) -> Result<(u16, Value), String> {
        let tool = tools::named(name).ok_or_else(|| format!("no tool {name}"))?;
        let args = args.as_object().cloned().unwrap_or_default();
        let req = call::request(tool, &args)?;
        let a = self
            .dispatch
            .send(&req, self.authorization.as_deref(), self.peer.clone())
            .await?;
        Ok((
            a.status,
            serde_json::from_slice(&a.body).unwrap_or(Value::Null),
        ))
    }
}

/// An operation's answer (or a composed tool's) as the tool's result.
fn result(status: u16, body: &[u8]) -> CallToolResponse {
    let a = call::answer(status, body);
    // The answer first (parseable on its own), then what was cut and how to read on.
    let content: Vec<ContentBlock> = std::iter::once(a.text)
        .chain(a.notes)
        .map(ContentBlock::text)
        .collect();
    let mut result = if a.is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    };
    result.structured_content = a.structured;
    result.into()
}

impl ServerHandler for SpciMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("spci", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "spci: CCExtractor's regression-testing CI. Each tool is one operation of the \
                 REST API with your token's rights. Start with listRuns or getQueue; for a \
                 failing run, listFailureGroups then getDiff; getRunComparison with \
                 base=master for what a pull request changed; listFlakyTests for flakiness.",
            )
    }

    /// The tools the caller's token may call. Who the token is comes from getCurrentUser,
    /// sent like any call (so over stdio the remote server answers it); a caller it does not
    /// know is offered nothing.
    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let (authorization, peer) = self.caller(&context);
        let me = Request {
            method: "GET".into(),
            path_and_query: "/auth/me".into(),
            body: None,
        };
        let answered = self
            .dispatch
            .send(&me, authorization.as_deref(), peer)
            .await
            .map_err(|e| ErrorData::internal_error(e, None))?;
        let Some((scopes, role)) = (answered.status == 200)
            .then(|| who(&answered.body))
            .flatten()
        else {
            return Ok(ListToolsResult::with_all_items(vec![]));
        };
        let offered = listed()
            .iter()
            .filter(|(o, _)| o.callable_by(&scopes, role))
            .map(|(_, tool)| tool.clone())
            .collect();
        Ok(ListToolsResult::with_all_items(offered))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let (authorization, peer) = self.caller(&context);
        if let Some(c) = composed::ALL.iter().find(|c| c.name == request.name) {
            c.check(&args)
                .map_err(|e| ErrorData::invalid_params(e, None))?;
            let steps = Caller {
                dispatch: &self.dispatch,
                authorization,
                peer,
            };
            return match c.run(&args, &steps).await {
                Ok(v) => Ok(result(200, v.to_string().as_bytes())),
                Err(Failed::Refused(status, body)) => {
                    Ok(result(status, body.to_string().as_bytes()))
                }
                Err(Failed::Unsent(e)) => Err(ErrorData::internal_error(e, None)),
            };
        }
        let Some(tool) = tools::named(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!("no tool {}", request.name),
                None,
            ));
        };
        let req = call::request(tool, &args).map_err(|e| ErrorData::invalid_params(e, None))?;
        let answered = self
            .dispatch
            .send(&req, authorization.as_deref(), peer)
            .await
            .map_err(|e| ErrorData::internal_error(e, None))?;
        Ok(result(answered.status, &answered.body))
    }
}

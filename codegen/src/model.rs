//! The spec, resolved: every operation with its parameters, tag, security and extensions, and
//! lookups for the `$ref`s the other modules follow.
use crate::error::{Error, bail, ensure};
use crate::naming::ref_name;
use openapiv3::*;
use std::collections::BTreeSet;

pub struct Model<'a> {
    pub spec: &'a OpenAPI,
    pub comps: &'a Components,
    /// Schemas used as multipart bodies: they become `Multipart` types, not `Object`s.
    pub multipart: BTreeSet<String>,
    /// Declared tags, in the spec's order.
    pub tags: Vec<String>,
    ops: Vec<Op<'a>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Path,
    Query,
    /// Read by the handler (`Range`); authentication headers are the adapter's, never these.
    Header,
}

pub struct Op<'a> {
    pub id: &'a str,
    pub path: &'a str,
    pub method: &'a str,
    pub tag: &'a str,
    pub op: &'a Operation,
    pub params: Vec<(&'a ParameterData, ParamKind)>,
    pub public: bool,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    /// `x-ordered-params`: (lower, upper).
    pub ordered: Option<(String, String)>,
}

impl<'a> Model<'a> {
    pub fn new(spec: &'a OpenAPI) -> Result<Self, Error> {
        let Some(comps) = spec.components.as_ref() else {
            bail!("the spec has no components")
        };
        for needed in ["ErrorResponse", "Scope", "Role"] {
            ensure!(
                comps.schemas.contains_key(needed),
                "the spec needs a {needed} schema: the generated code is built on it"
            );
        }
        let tags: Vec<String> = spec.tags.iter().map(|t| t.name.clone()).collect();
        let mut m = Model {
            spec,
            comps,
            multipart: BTreeSet::new(),
            tags,
            ops: vec![],
        };
        m.ops = m.collect_ops()?;
        for o in &m.ops {
            if let Some(ReferenceOr::Item(rb)) = &o.op.request_body
                && let Some(mt) = rb.content.get("multipart/form-data")
                && let Some(ReferenceOr::Reference { reference }) = &mt.schema
            {
                m.multipart.insert(ref_name(reference).to_string());
            }
        }
        Ok(m)
    }

    pub fn operations(&self) -> &[Op<'a>] {
        &self.ops
    }

    pub fn schema(&self, name: &str) -> Result<&'a Schema, Error> {
        match self.comps.schemas.get(name) {
            Some(ReferenceOr::Item(s)) => Ok(s),
            _ => bail!("schema {name} is missing or an alias"),
        }
    }

    /// Marked `x-error-body`: an error body with typed details or a part of one, which has no
    /// Rust type of its own (see `responses`).
    pub fn is_error_part(&self, name: &str) -> bool {
        self.schema(name)
            .is_ok_and(|s| s.schema_data.extensions.contains_key("x-error-body"))
    }

    pub fn param(&self, p: &'a ReferenceOr<Parameter>) -> Result<&'a Parameter, Error> {
        match p {
            ReferenceOr::Item(p) => Ok(p),
            ReferenceOr::Reference { reference } => {
                match self.comps.parameters.get(ref_name(reference)) {
                    Some(ReferenceOr::Item(p)) => Ok(p),
                    _ => bail!("parameter {reference} not found"),
                }
            }
        }
    }

    pub fn response(&self, r: &'a ReferenceOr<Response>) -> Result<&'a Response, Error> {
        match r {
            ReferenceOr::Item(r) => Ok(r),
            ReferenceOr::Reference { reference } => {
                match self.comps.responses.get(ref_name(reference)) {
                    Some(ReferenceOr::Item(r)) => Ok(r),
                    _ => bail!("response {reference} not found"),
                }
            }
        }
    }

    pub fn header(&self, h: &'a ReferenceOr<Header>) -> Result<&'a Header, Error> {
        match h {
            ReferenceOr::Item(h) => Ok(h),
            ReferenceOr::Reference { reference } => {
                match self.comps.headers.get(ref_name(reference)) {
                    Some(ReferenceOr::Item(h)) => Ok(h),
                    _ => bail!("header {reference} not found"),
                }
            }
        }
    }

    fn is_public(&self, op: &Operation) -> Result<bool, Error> {
        match op.security.as_ref().or(self.spec.security.as_ref()) {
            None => Ok(true),
            Some(reqs) if reqs.is_empty() => Ok(true),
            Some(reqs) => {
                for r in reqs {
                    ensure!(
                        r.keys().all(|k| k == "bearerAuth"),
                        "only bearerAuth is supported"
                    );
                    ensure!(
                        r.values().all(|s| s.is_empty()),
                        "bearer scopes go in x-required-scopes"
                    );
                }
                Ok(false)
            }
        }
    }

    fn str_list(op: &Operation, id: &str, key: &str) -> Result<Option<Vec<String>>, Error> {
        let Some(v) = op.extensions.get(key) else {
            return Ok(None);
        };
        let Some(items) = v.as_array() else {
            bail!("{id}: {key} must be a list")
        };
        items
            .iter()
            .map(|s| match s.as_str() {
                Some(s) => Ok(s.to_string()),
                None => bail!("{id}: {key} holds strings"),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn collect_ops(&self) -> Result<Vec<Op<'a>>, Error> {
        let mut ops = vec![];
        let mut seen = BTreeSet::new();
        for (path, item) in self.spec.paths.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                bail!("{path}: path refs unsupported")
            };
            ensure!(
                item.parameters.is_empty(),
                "{path}: put parameters on operations"
            );
            for (method, op) in item.iter() {
                let Some(id) = op.operation_id.as_deref() else {
                    bail!("{method} {path}: every operation needs an operationId")
                };
                ensure!(seen.insert(id), "duplicate operationId {id}");
                ensure!(op.tags.len() == 1, "{id}: exactly one tag");
                let tag = op.tags[0].as_str();
                ensure!(
                    self.tags.iter().any(|t| t == tag),
                    "{id}: tag {tag} is not declared"
                );
                let mut params = vec![];
                for p in &op.parameters {
                    match self.param(p)? {
                        Parameter::Query { parameter_data, .. } => {
                            // The server refuses a repeated query parameter, which is right
                            // only while every one is a scalar.
                            if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) =
                                &parameter_data.format
                            {
                                ensure!(
                                    !matches!(s.schema_kind, SchemaKind::Type(Type::Array(_))),
                                    "{id}: query parameter {} is an array; only scalar query \
                                     parameters are supported",
                                    parameter_data.name
                                );
                            }
                            params.push((parameter_data, ParamKind::Query))
                        }
                        Parameter::Path { parameter_data, .. } => {
                            params.push((parameter_data, ParamKind::Path))
                        }
                        Parameter::Header { parameter_data, .. } => {
                            params.push((parameter_data, ParamKind::Header))
                        }
                        _ => bail!("{id}: only path, query and header parameters are supported"),
                    }
                }
                let public = self.is_public(op)?;
                let scopes = Self::str_list(op, id, "x-required-scopes")?;
                let roles = Self::str_list(op, id, "x-required-roles")?;
                if public {
                    ensure!(
                        scopes.is_none() && roles.is_none(),
                        "{id}: public operations take no scopes or roles"
                    );
                } else {
                    ensure!(
                        scopes.is_some() && roles.is_some(),
                        "{id}: declare x-required-scopes and x-required-roles"
                    );
                }
                let ordered = match Self::str_list(op, id, "x-ordered-params")? {
                    None => None,
                    Some(pair) => {
                        ensure!(
                            pair.len() == 2,
                            "{id}: x-ordered-params names two parameters"
                        );
                        for name in &pair {
                            ensure!(
                                params.iter().any(|(p, _)| &p.name == name && !p.required),
                                "{id}: x-ordered-params names {name}, not an optional parameter"
                            );
                        }
                        Some((pair[0].clone(), pair[1].clone()))
                    }
                };
                ops.push(Op {
                    id,
                    path,
                    method,
                    tag,
                    op,
                    params,
                    public,
                    scopes: scopes.unwrap_or_default(),
                    roles: roles.unwrap_or_default(),
                    ordered,
                });
            }
        }
        Ok(ops)
    }
}

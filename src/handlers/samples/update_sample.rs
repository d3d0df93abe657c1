//! PATCH /samples/{sample_id}: tags, when given, replace the sample's; the other fields change
//! its upload record, which a sample added outside the upload flow does not have (409).
use crate::api::{SampleTags, UpdateSampleInput, UpdateSampleResponse};
use crate::data::catalog::tags_of;
use crate::data::entity::{sample, sample_tag_association, tag, upload};
use crate::data::filters::same_text;
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use std::collections::BTreeSet;

pub async fn handle(
    state: &AppState,
    req: UpdateSampleInput,
) -> Result<UpdateSampleResponse, ApiError> {
    let b = req.body;
    let id = req.sample_id;
    let tx = begin_write(&state.db).await?;
    sample::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .ok_or_else(|| DomainError::not_found("Sample"))?;
    if let Some(names) = &b.tags {
        let ids = tag_ids(&tx, names).await?;
        sample_tag_association::Entity::delete_many()
            .filter(sample_tag_association::Column::SampleId.eq(id))
            .exec(&tx)
            .await?;
        if !ids.is_empty() {
            sample_tag_association::Entity::insert_many(ids.iter().map(|&t| {
                sample_tag_association::ActiveModel {
                    sample_id: Set(id),
                    tag_id: Set(t),
                }
            }))
            .exec_without_returning(&tx)
            .await?;
        }
    }
    let upload_fields =
        b.notes.is_some() || b.parameters.is_some() || b.platform.is_some() || b.version.is_some();
    if upload_fields {
        let row = upload::Entity::find()
            .filter(upload::Column::SampleId.eq(id))
            .lock_exclusive()
            .one(&tx)
            .await?
            .ok_or_else(|| {
                DomainError::conflict("The sample has no upload record; only its tags can change.")
            })?;
        let version = match &b.version {
            Some(v) => Some(crate::data::lookup::version(&tx, v).await?),
            None => None,
        };
        let mut m = row.into_active_model();
        if let Some(n) = b.notes {
            m.notes = Set(n);
        }
        if let Some(p) = b.parameters {
            m.parameters = Set(p);
        }
        if let Some(p) = b.platform {
            m.platform = Set(p.as_str().to_string());
        }
        if let Some(v) = version {
            m.version_id = Set(Some(v.id));
        }
        if m.is_changed() {
            m.update(&tx).await?;
        }
    }
    tx.commit().await?;
    let tags = tags_of(&state.db, &BTreeSet::from([id]))
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(UpdateSampleResponse::Ok(Json(SampleTags {
        sample_id: id,
        tags,
    })))
}

/// The ids of the tags `names` name (case-insensitively, as upstream's collation compares
/// them), each once; any unknown name is a 400 that lists them.
async fn tag_ids(
    db: &impl ConnectionTrait,
    names: &[String],
) -> Result<BTreeSet<i32>, DomainError> {
    if names.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut any = Condition::any();
    for n in names {
        any = any.add(same_text(Expr::col((tag::Entity, tag::Column::Name)), n));
    }
    let found = tag::Entity::find().filter(any).all(db).await?;
    let unknown: Vec<&str> = names
        .iter()
        .filter(|n| {
            !found
                .iter()
                .any(|t| t.name.to_lowercase() == n.to_lowercase())
        })
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(DomainError::invalid("Unknown tags.").detail("unknown", unknown));
    }
    Ok(found.into_iter().map(|t| t.id).collect())
}

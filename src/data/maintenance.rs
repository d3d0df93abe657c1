//! Maintenance per platform, as upstream keeps it. `maintenance_mode.platform` is not unique upstream
//! and upstream reads the lowest id per platform, so spci reads and writes that row too (and
//! creates one when a platform has none).
use crate::api::{MaintenanceState, Platform};
use crate::data::entity::maintenance_mode;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

pub async fn row(
    db: &impl ConnectionTrait,
    platform: Platform,
) -> Result<Option<maintenance_mode::Model>, DbErr> {
    maintenance_mode::Entity::find()
        .filter(maintenance_mode::Column::Platform.eq(platform.as_str()))
        .order_by_asc(maintenance_mode::Column::Id)
        .one(db)
        .await
}

/// Every platform's state in one query: a platform without a row is not in maintenance.
pub async fn overview(db: &impl ConnectionTrait) -> Result<Vec<MaintenanceState>, DbErr> {
    let rows = maintenance_mode::Entity::find()
        .order_by_asc(maintenance_mode::Column::Id)
        .all(db)
        .await?;
    Ok(Platform::ALL
        .iter()
        .map(|&platform| MaintenanceState {
            platform,
            disabled: rows
                .iter()
                .find(|r| r.platform == platform.as_str())
                .is_some_and(|r| r.disabled),
        })
        .collect())
}

/// The platforms in maintenance now, in one query.
pub async fn platforms_in_maintenance(db: &impl ConnectionTrait) -> Result<Vec<Platform>, DbErr> {
    Ok(overview(db)
        .await?
        .into_iter()
        .filter(|m| m.disabled)
        .map(|m| m.platform)
        .collect())
}

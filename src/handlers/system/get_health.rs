//! GET /system/health: database and storage status; 503 + `down` when the database is
//! unreachable, `degraded` when only storage is; and the platforms in maintenance.
use crate::api::{Dependency, GetHealthInput, GetHealthResponse, HealthStatus, SystemHealth};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use poem_openapi::payload::Json;
use std::time::Duration;

const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

async fn health(state: &AppState) -> SystemHealth {
    let db = match tokio::time::timeout(CHECK_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".to_string()),
    };
    let storage = match tokio::time::timeout(CHECK_TIMEOUT, state.storage.check()).await {
        Ok(r) => r,
        Err(_) => Err("timed out".to_string()),
    };
    let dep = |name: &str, r: &Result<(), String>, failed: HealthStatus| Dependency {
        name: name.to_string(),
        status: if r.is_ok() { HealthStatus::Ok } else { failed },
        // Say what failed, not how: connection strings and paths stay in the logs.
        message: r.as_ref().err().map(|e| {
            tracing::warn!(dependency = name, error = %e, "health check failed");
            "unreachable".to_string()
        }),
    };
    // Read only when the database answered: an outage must not wait twice.
    let platforms_in_maintenance = match &db {
        Ok(()) => tokio::time::timeout(
            CHECK_TIMEOUT,
            crate::data::maintenance::platforms_in_maintenance(&state.db),
        )
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default(),
        Err(_) => vec![],
    };
    let status = match (&db, &storage) {
        (Err(_), _) => HealthStatus::Down,
        (Ok(()), Err(_)) => HealthStatus::Degraded,
        (Ok(()), Ok(())) => HealthStatus::Ok,
    };
    SystemHealth {
        status,
        checked_at: UtcDateTime::now(),
        dependencies: vec![
            dep("database", &db, HealthStatus::Down),
            dep(state.storage.kind, &storage, HealthStatus::Degraded),
        ],
        platforms_in_maintenance,
    }
}

pub async fn handle(state: &AppState, _req: GetHealthInput) -> Result<GetHealthResponse, ApiError> {
    let h = health(state).await;
    Ok(if h.status == HealthStatus::Down {
        GetHealthResponse::ServiceUnavailable(Json(h))
    } else {
        GetHealthResponse::Ok(Json(h))
    })
}

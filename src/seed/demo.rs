//! `spci demo`: a small, realistic dataset (modelled on production values of the sample
//! platform) with files under the storage root, and an admin token. Idempotent: a second run
//! only issues a new token.
use super::story::{self, Library, LibraryTest, put};
use crate::api::{Role, Scope};
use crate::auth::issue;
use crate::config::{Config, Mode};
use crate::data::entity::*;
use crate::domain::DomainError;
use crate::files::storage::sample_file_name;
use crate::files::{Folder, Key};
use crate::state::AppState;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "demo-admin-password";
/// The demo's CCExtractor release (0.94) was cut from this commit.
const RELEASE_COMMIT: &str = "1978060bf7d2edd119736ba3ba88341f3bec3323";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Tokens `spci demo` hands out at every start.
pub struct DemoTokens {
    /// Every scope, valid 30 days.
    pub admin: String,
    /// The admin's too, but already expired: what a client sees when its token runs out.
    pub expired: String,
}

/// The demo's admin has a published password: it never goes into a production database.
pub fn refuse_in_production(config: &Config) -> Result<(), String> {
    if config.mode == Mode::Production {
        return Err(format!(
            "spci demo seeds {ADMIN_EMAIL} with a published password; it does not run with \
             SPCI_MODE=production (use `spci user create` and `spci token create` instead)"
        ));
    }
    Ok(())
}

/// Seeds once, then returns fresh tokens.
pub async fn seed(state: &AppState) -> Result<DemoTokens, DomainError> {
    refuse_in_production(&state.config).map_err(DomainError::forbidden)?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(ADMIN_EMAIL))
        .one(&state.db)
        .await?;
    if existing.is_none() {
        let tx = crate::data::writer::begin_write(&state.db).await?;
        issue::create_user(
            &tx,
            state.config.password_format,
            ADMIN_EMAIL,
            "admin",
            Role::Admin,
            ADMIN_PASSWORD,
        )
        .await?;
        seed_dataset(state, &tx).await?;
        tx.commit().await?;
    }
    let stamp = Utc::now().format("%Y%m%d%H%M%S%3f");
    let scopes = Scope::ALL;
    let admin =
        issue::issue_for_email(&state.db, ADMIN_EMAIL, &format!("demo-{stamp}"), scopes, 30)
            .await?
            .plaintext;
    let expired = issue::issue_for_email(
        &state.db,
        ADMIN_EMAIL,
        &format!("demo-expired-{stamp}"),
        scopes,
        1,
    )
    .await?;
    let mut row: crate::data::entity::api_token::ActiveModel = expired.model.into();
    row.expires_at = Set((Utc::now() - chrono::Duration::days(1)).naive_utc());
    row.update(&state.db).await?;
    Ok(DemoTokens {
        admin,
        expired: expired.plaintext,
    })
}

async fn seed_dataset(state: &AppState, db: &impl ConnectionTrait) -> Result<(), DomainError> {
    let mut contributor = 0;
    for (i, (u, role)) in [
        ("tester", Role::Tester),
        ("contributor", Role::Contributor),
        ("dev", Role::User),
    ]
    .iter()
    .enumerate()
    {
        let id = issue::create_user(
            db,
            state.config.password_format,
            &format!("{u}@example.com"),
            u,
            *role,
            &format!("demo-{}-password-{i}", role.as_str()),
        )
        .await?;
        if *role == Role::Contributor {
            contributor = id;
        }
        // The developer has connected GitHub, so their fork runs and GET /auth/me/github show it.
        if *role == Role::User {
            user::ActiveModel {
                id: Set(id),
                github_login: Set(Some("demo-dev".into())),
                ..Default::default()
            }
            .update(db)
            .await?;
        }
    }
    // A GitHub account blocked from CI (by GitHub's numeric id, as upstream stores it).
    crate::data::entity::blocked_users::ActiveModel {
        user_id: Set(9_000_001),
        comment: Set(Some("demo: opened spam pull requests".into())),
    }
    .insert(db)
    .await?;
    let main_fork = fork::ActiveModel {
        github: Set(Some(
            "https://github.com/CCExtractor/ccextractor.git".into(),
        )),
        ..Default::default()
    }
    .insert(db)
    .await?;
    ccextractor_version::ActiveModel {
        version: Set(Some("0.94".into())),
        released: Set(Some(chrono::NaiveDate::from_ymd_opt(2021, 12, 15).unwrap())),
        commit: Set(Some(RELEASE_COMMIT.into())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let last = story::last_master_commit();
    for k in ["last_commit", "fetch_commit_linux", "fetch_commit_windows"] {
        general_data::ActiveModel {
            key: Set(Some(k.into())),
            value: Set(last.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    // Windows is in maintenance: its runs are accepted and stay queued.
    for (p, disabled) in [("linux", false), ("windows", true)] {
        maintenance_mode::ActiveModel {
            platform: Set(p.into()),
            disabled: Set(disabled),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for ext in ["js", "com"] {
        extension_forbidden::ActiveModel {
            extension: Set(ext.into()),
        }
        .insert(db)
        .await?;
    }
    mimetype_forbidden::ActiveModel {
        mimetype: Set("application/javascript".into()),
    }
    .insert(db)
    .await?;

    let mut categories = vec![];
    for (name, desc) in [
        ("Broken", "Samples that are broken"),
        ("DVB", "Samples that contain DVB subtitles"),
        ("General", "General regression samples"),
        ("MP4", "Samples that are stored in the MP4 format"),
        ("Teletext", "Samples with teletext subtitles"),
    ] {
        let c = category::ActiveModel {
            name: Set(Some(name.into())),
            description: Set(desc.into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        categories.push(c.id);
    }
    let hd = tag::ActiveModel {
        name: Set("hd".into()),
        description: Set(Some("High definition".into())),
        ..Default::default()
    }
    .insert(db)
    .await?;

    // Samples: real files (small stand-ins for media) under TestFiles/.
    let mut samples = vec![];
    let mut sample_shas = vec![];
    for (name, ext) in [
        ("CONV923H", "ts"),
        ("Storyville", "mpg"),
        ("MMMC_20110131", "wtv"),
        ("Closedcaption_atsc_rollup", "mp4"),
    ] {
        let content = format!("demo media stand-in for {name}\n").into_bytes();
        let h = sha(&content);
        put(
            state,
            Key::new(Folder::TestFiles, &sample_file_name(&h, ext)),
            content,
        )
        .await?;
        put(
            state,
            Key::new(Folder::Media, &format!("{h}.xml")),
            format!("<MediaInfo><File>{name}.{ext}</File></MediaInfo>\n").into_bytes(),
        )
        .await?;
        sample_shas.push(h.clone());
        let s = sample::ActiveModel {
            sha: Set(Some(h)),
            extension: Set(ext.into()),
            original_name: Set(format!("{name}.{ext}")),
            ..Default::default()
        }
        .insert(db)
        .await?;
        samples.push(s.id);
    }
    sample_tag_association::ActiveModel {
        sample_id: Set(samples[0]),
        tag_id: Set(hd.id),
    }
    .insert(db)
    .await?;
    let extra = sample_extra::ActiveModel {
        sample_id: Set(Some(samples[1])),
        original_name: Set("Storyville.srt".into()),
        extension: Set("srt".into()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    put(
        state,
        Key::new(
            Folder::Extra,
            &format!("{}_{}.srt", sample_shas[1], extra.id),
        ),
        b"1\n00:00:00,000 --> 00:00:02,000\nStoryville\n".to_vec(),
    )
    .await?;

    // Regression tests with baseline outputs (files under TestResults/), one with a variant.
    let commands = [
        ("--autoprogram --out=srt --latin1", ".srt", 0, 2),
        (
            "--out=sami --latin1 --autoprogram --no-goptime",
            ".smi",
            0,
            0,
        ),
        (
            "--autoprogram --out=ttxt --latin1 --ucla --xds",
            ".txt",
            10,
            4,
        ),
        ("--autoprogram --out=srt --latin1", ".srt", 0, 3),
        ("--codec dvbsub --out=spupng", ".xml", 0, 1),
        (
            "--autoprogram --out=srt --latin1 --sentencecap",
            ".srt",
            0,
            2,
        ),
        ("--autoprogram --out=srt --utf8 --nofc", ".srt", 0, 2),
        ("--out=srt --latin1 --stdout", ".srt", 0, 2),
    ];
    let mut tests = vec![];
    for (i, (cmd, ext, rc, cat)) in commands.iter().enumerate() {
        let rt = regression_test::ActiveModel {
            sample_id: Set(Some(samples[i % samples.len()])),
            command: Set(cmd.to_string()),
            input_type: Set(Some("file".into())),
            output_type: Set(Some("file".into())),
            expected_rc: Set(Some(*rc)),
            active: Set(Some(true)),
            description: Set(Some(format!("Demo regression test {}", i + 1))),
            ..Default::default()
        }
        .insert(db)
        .await?;
        regression_test_category::ActiveModel {
            regression_id: Set(rt.id),
            category_id: Set(categories[*cat]),
        }
        .insert(db)
        .await?;
        let baseline = story::baseline(i).into_bytes();
        let h = sha(&baseline);
        put(state, Key::result(&h, ext), baseline).await?;
        let o = regression_test_output::ActiveModel {
            regression_id: Set(Some(rt.id)),
            correct: Set(Some(h.clone())),
            correct_extension: Set(ext.to_string()),
            expected_filename: Set(Some(String::new())),
            ignore: Set(Some(false)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        tests.push(LibraryTest {
            id: rt.id,
            output: o.id,
            baseline_hash: h,
            extension: ext,
            expected_rc: *rc,
        });
    }
    let variant = story::baseline(0)
        .replace("brown fox", "brown fox.")
        .into_bytes();
    let vh = sha(&variant);
    put(state, Key::result(&vh, ".srt"), variant).await?;
    regression_test_output_files::ActiveModel {
        file_hashes: Set(Some(vh)),
        regression_test_output_id: Set(Some(tests[0].output)),
        ..Default::default()
    }
    .insert(db)
    .await?;

    let library = Library {
        tests,
        main_fork: main_fork.id,
        contributor,
        release_commit: RELEASE_COMMIT.to_string(),
    };
    story::seed(state, db, &library).await
}

//! sea-orm entities for every upstream table the API touches; names and types as upstream.

pub mod api_token;
pub mod blocked_users;
pub mod category;
pub mod ccextractor_version;
pub mod customized_test;
pub mod extension_forbidden;
pub mod fork;
pub mod gcp_instance;
pub mod general_data;
pub mod maintenance_mode;
pub mod mimetype_forbidden;
pub mod regression_test;
pub mod regression_test_category;
pub mod regression_test_output;
pub mod regression_test_output_files;
pub mod sample;
pub mod sample_extra;
pub mod sample_tag_association;
pub mod tag;
pub mod test;
pub mod test_fork;
pub mod test_progress;
pub mod test_result;
pub mod test_result_file;
pub mod upload;
pub mod upload_queue;
pub mod user;

pub mod prelude {
    pub use super::api_token::Entity as ApiToken;
    pub use super::blocked_users::Entity as BlockedUsers;
    pub use super::category::Entity as Category;
    pub use super::ccextractor_version::Entity as CcextractorVersion;
    pub use super::customized_test::Entity as CustomizedTest;
    pub use super::extension_forbidden::Entity as ExtensionForbidden;
    pub use super::fork::Entity as Fork;
    pub use super::gcp_instance::Entity as GcpInstance;
    pub use super::general_data::Entity as GeneralData;
    pub use super::maintenance_mode::Entity as MaintenanceMode;
    pub use super::mimetype_forbidden::Entity as MimetypeForbidden;
    pub use super::regression_test::Entity as RegressionTest;
    pub use super::regression_test_category::Entity as RegressionTestCategory;
    pub use super::regression_test_output::Entity as RegressionTestOutput;
    pub use super::regression_test_output_files::Entity as RegressionTestOutputFiles;
    pub use super::sample::Entity as Sample;
    pub use super::sample_extra::Entity as SampleExtra;
    pub use super::sample_tag_association::Entity as SampleTagAssociation;
    pub use super::tag::Entity as Tag;
    pub use super::test::Entity as Test;
    pub use super::test_fork::Entity as TestFork;
    pub use super::test_progress::Entity as TestProgress;
    pub use super::test_result::Entity as TestResult;
    pub use super::test_result_file::Entity as TestResultFile;
    pub use super::upload::Entity as Upload;
    pub use super::upload_queue::Entity as UploadQueue;
    pub use super::user::Entity as User;
}

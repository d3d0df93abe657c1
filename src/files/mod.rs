//! Files through object_store: storage keys that cannot escape their folder, reads that never
//! hold a whole large object, and the sparse line index that pages logs of any size.
pub mod log_index;
pub mod removal;
pub mod storage;
pub mod upload;

pub use storage::{Folder, Key, Storage};

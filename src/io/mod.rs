//! Files in and out: batches (import and validation), paper and signed score sheets, panel
//! files, the final review's merge, exports, paper score forms and synthetic batches.

pub mod assign;
pub mod ballot;
pub mod entry;
pub mod export;
pub mod form;
pub mod fsafe;
pub mod import;
pub mod merge;
pub mod panel;
pub mod sheet;
pub mod synth;
pub mod unique_keys;
pub mod validate;

use crate::domain::profile::{Profile, ProfileError};
use std::path::Path;

/// Loads a profile file, read as every file from others is ([`fsafe`]).
pub fn load_profile(path: &Path) -> Result<Profile, ProfileError> {
    let text = fsafe::read_to_string(path, fsafe::MAX_CONFIG_BYTES).map_err(|source| {
        ProfileError::Read {
            file: path.to_path_buf(),
            source,
        }
    })?;
    Profile::from_toml(&text, path)
}

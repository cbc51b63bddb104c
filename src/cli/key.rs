//! `revdesk key`: an expert's signing key and its fingerprint, for the panel file.

use super::opts::{expert_or_default, parse_expert_id, store_dir};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// `revdesk key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// The store directory (default: $REVDESK_STORE, else the user data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The expert whose key to print; each expert in a store has their own (default: your
    /// user name).
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: Option<String>,
}

/// Runs `revdesk key`.
pub fn run(a: KeyArgs) -> Result<()> {
    // Who first: nothing is created for a missing id.
    let expert = expert_or_default(a.expert, "--expert")?;
    let dir = store_dir(a.store.as_deref())?;
    let store = super::opts::open_store(&dir)?;
    let key = crate::round::submit::signing_key(&store, &expert)?;
    let public = key.verifying_key();
    let sharing = store.experts_sharing_key(&expert)?;
    if !sharing.is_empty() {
        errln!(
            "note: {expert} shares this key with {} (they signed sheets with the store's single key of an older revdesk); a panel file can pin it for one of them only",
            sharing.join(", ")
        );
    }
    let name = store
        .expert(&expert)?
        .and_then(|e| e.display_name)
        .unwrap_or_else(|| expert.clone());
    outln!("store:       {}", store.path().display());
    outln!("expert:      {expert}");
    outln!(
        "public key:  {}",
        crate::io::sheet::public_key_to_hex(&public)
    );
    outln!("fingerprint: {}", crate::io::sheet::fingerprint(&public));
    outln!();
    outln!("# for the chair's panel file (panel.toml):");
    outln!("[[experts]]");
    outln!("id = {}", toml_str(&expert));
    outln!("name = {}", toml_str(&name));
    outln!("affiliations = []");
    outln!(
        "public_key = \"{}\"",
        crate::io::sheet::public_key_to_hex(&public)
    );
    Ok(())
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

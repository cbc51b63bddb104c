//! `revdesk key`: an expert's signing key and its fingerprint, for the panel file.

use super::opts::{expert_or_default, parse_expert_id, store_dir};
use crate::text::i18n::T;
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
    let lang = super::lang();
    if !sharing.is_empty() {
        let others = sharing.join(", ");
        errln!(
            "{}: {}",
            T::CliNote.get(lang),
            T::KeyShared.fill(lang, &[("expert", &expert), ("others", &others)])
        );
    }
    let name = store
        .expert(&expert)?
        .and_then(|e| e.display_name)
        .unwrap_or_else(|| expert.clone());
    let hex = crate::io::sheet::public_key_to_hex(&public);
    let path = store.path().display().to_string();
    outln!("{}", T::KeyStore.fill(lang, &[("path", &path)]));
    outln!("{}", T::KeyExpert.fill(lang, &[("id", &expert)]));
    outln!("{}", T::KeyPublic.fill(lang, &[("key", &hex)]));
    let fingerprint = crate::io::sheet::fingerprint(&public);
    outln!("{}", T::KeyFingerprint.fill(lang, &[("fp", &fingerprint)]));
    outln!();
    outln!("{}", T::KeyPanelComment.get(lang));
    outln!("[[experts]]");
    outln!("id = {}", toml_str(&expert));
    outln!("name = {}", toml_str(&name));
    outln!("affiliations = []");
    outln!("public_key = \"{hex}\"");
    Ok(())
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

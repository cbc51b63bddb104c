//! The demo batches: all five 2020 domains, at least 40 nominations each, every field filled,
//! clean under `--strict`, in the formats and encodings the README promises.

mod common;

use common::fixture;
use revdesk::domain::batch::Field;
use revdesk::domain::profile::Profile;
use revdesk::io::import::{self, Format, TextEncoding};
use revdesk::io::validate::{self, Options};

const BATCHES: [(&str, &str, Format); 5] = [
    (
        "batches/electronic-information.xlsx",
        "electronic-information",
        Format::Xlsx,
    ),
    ("batches/biomedicine.csv", "biomedicine", Format::Csv),
    (
        "batches/equipment-manufacturing.xlsx",
        "equipment-manufacturing",
        Format::Xlsx,
    ),
    (
        "batches/advanced-materials.csv",
        "advanced-materials",
        Format::Csv,
    ),
    (
        "batches/resources-environment.json",
        "resources-environment",
        Format::Json,
    ),
];

#[test]
fn every_domain_batch_is_clean_and_full() {
    let profile = Profile::kczg_2020();
    let mut with_details = 0;
    let mut longest_detail = 0;
    for (path, domain, format) in BATCHES {
        let p = fixture(path);
        let raw = import::read(&p).expect("reads");
        assert_eq!(raw.format, format, "{path}");
        let r = validate::validate(&raw, &profile, &Options::default());
        assert!(r.findings.is_empty(), "{path}: {:#?}", r.findings);
        assert!(r.batch.items.len() >= 40, "{path}: {}", r.batch.items.len());
        assert_eq!(r.batch.domain.as_deref(), Some(domain), "{path}");
        for it in &r.batch.items {
            for f in Field::ALL {
                if matches!(
                    f,
                    Field::LevelDetail
                        | Field::BenefitsDetail
                        | Field::PreliminaryRank
                        | Field::PreliminaryScore
                ) {
                    continue;
                }
                assert!(
                    !it.text(f).trim().is_empty(),
                    "{path} {} {f:?} empty",
                    it.id
                );
            }
            // Realistic lengths: hundreds of characters for the main texts.
            assert!(it.level.chars().count() >= 200, "{path} {}", it.id);
            assert!(it.benefits.chars().count() >= 200, "{path} {}", it.id);
            assert!(it.team.chars().count() >= 100, "{path} {}", it.id);
            if !it.level_detail.is_empty() {
                with_details += 1;
                longest_detail = longest_detail.max(it.level_detail.chars().count());
            }
        }
    }
    assert!(with_details >= 20, "{with_details}");
    assert!(longest_detail >= 2000, "{longest_detail}");
}

#[test]
fn encodings_are_as_documented() {
    let gb = import::read(&fixture("batches/advanced-materials.csv")).expect("reads");
    assert_eq!(gb.encoding, Some(TextEncoding::Gb18030));
    let bytes = std::fs::read(fixture("batches/advanced-materials.csv")).expect("bytes");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "really GB18030, not UTF-8"
    );
    let utf8 = import::read(&fixture("batches/biomedicine.csv")).expect("reads");
    assert_eq!(utf8.encoding, Some(TextEncoding::Utf8));
}

#[test]
fn real_2020_list_names_appear() {
    let profile = Profile::kczg_2020();
    let r = validate::load(
        &fixture("batches/electronic-information.xlsx"),
        &profile,
        &Options::default(),
    )
    .expect("loads");
    assert!(
        r.batch
            .items
            .iter()
            .any(|i| i.name.contains("柔性电子多维感知"))
    );
}

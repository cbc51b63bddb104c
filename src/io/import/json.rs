//! Reading JSON batches: an object with metadata and `items`, or a bare array of items.

use std::io::{Read, Seek};
use std::path::Path;

use super::lines::lines_in;
use super::stream::Decoding;
use super::{BATCH_FORMAT, Format, ImportError, RawBatch, RawRow, clean_owned, empty};
use crate::domain::batch::Field;
use crate::text::i18n::{Msg, T};

/// A JSON value as cell text (an array of codes joined with `；`); a string is moved, not copied.
fn json_text(v: serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        // Industry codes may come as an array of strings.
        Value::Array(a) => a.into_iter().map(json_text).collect::<Vec<_>>().join("；"),
        Value::Object(_) => v.to_string(),
    }
}

/// The line of the first `"key"` in JSON text (1 when not found), to point at metadata.
fn key_line(text: &str, key: &str) -> usize {
    text.find(&format!("\"{key}\""))
        .map_or(1, |at| lines_in(&text[..at]))
}

/// Reads a JSON batch as it is decoded: metadata (checked for type) and items, one row per
/// item. Each item's strings are moved into its row, so the text is in memory about once.
pub(super) fn read_json<R: Read + Seek>(
    path: &Path,
    dec: &mut Decoding<R>,
) -> Result<RawBatch, ImportError> {
    use serde_json::Value;
    let v: Value = serde_json::from_reader(std::io::BufReader::with_capacity(64 * 1024, &mut *dec))
        .map_err(|e| ImportError::Malformed {
            path: path.to_path_buf(),
            line: e.line(),
            message: Msg::new(T::ImpNotJson, &[("err", &e.to_string())]),
        })?;
    // Messages about metadata point at its key's line, found in the text read again.
    let key_line =
        |dec: &mut Decoding<R>, k: &str| dec.reread().map_or(1, |text| key_line(&text, k));
    let mut raw = empty(path, Format::Json);
    let items = match v {
        Value::Array(a) => a,
        Value::Object(mut o) => {
            // Metadata of the wrong type is an error, not silently ignored: a
            // `"final_review": "yes"` read as false would review the batch as a domain batch.
            let wrong_type = |dec: &mut Decoding<R>, k: &str, want: T| ImportError::Malformed {
                path: path.to_path_buf(),
                line: key_line(dec, k),
                message: Msg::new(
                    want,
                    &[
                        ("key", k),
                        ("value", &o.get(k).map(Value::to_string).unwrap_or_default()),
                    ],
                ),
            };
            let mut s = |k: &str| match o.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(v)) => Ok(Some(v.clone())),
                Some(_) => Err(wrong_type(dec, k, T::ImpNotString)),
            };
            if let Some(f) = s("format")?
                && f != BATCH_FORMAT
            {
                return Err(ImportError::Malformed {
                    path: path.to_path_buf(),
                    line: key_line(dec, "format"),
                    message: Msg::new(
                        T::ImpFormatTag,
                        &[("found", &f), ("supported", BATCH_FORMAT)],
                    ),
                });
            }
            raw.meta.title = s("title")?.unwrap_or_default();
            raw.meta.profile = s("profile")?.unwrap_or_default();
            raw.meta.domain = s("domain")?.filter(|d| !d.trim().is_empty());
            raw.meta.final_review = match o.get("final_review") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(wrong_type(dec, "final_review", T::ImpNotBool)),
            };
            match o.remove("items") {
                Some(Value::Array(a)) => a,
                _ => {
                    return Err(ImportError::Malformed {
                        path: path.to_path_buf(),
                        line: 1,
                        message: Msg::new(T::ImpNoItems, &[]),
                    });
                }
            }
        }
        _ => {
            return Err(ImportError::Malformed {
                path: path.to_path_buf(),
                line: 1,
                message: Msg::new(T::ImpNotObject, &[]),
            });
        }
    };
    for (i, item) in items.into_iter().enumerate() {
        let mut row = RawRow {
            line: i + 1,
            ..RawRow::default()
        };
        let Value::Object(o) = item else {
            return Err(ImportError::Malformed {
                path: path.to_path_buf(),
                line: i + 1,
                message: Msg::new(T::ImpItemNotObject, &[("n", &(i + 1).to_string())]),
            });
        };
        for (k, val) in o {
            match Field::from_header(&k) {
                Some(f) => {
                    if !raw.columns.contains(&f) {
                        raw.columns.push(f);
                    }
                    row.values.insert(f, clean_owned(json_text(val)));
                }
                None => {
                    if !raw.unknown_columns.contains(&k) {
                        raw.unknown_columns.push(k);
                    }
                }
            }
        }
        raw.rows.push(row);
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads JSON bytes through the streaming reader.
    fn read_json(path: &Path, bytes: &[u8]) -> Result<RawBatch, ImportError> {
        let src = std::io::Cursor::new(bytes);
        super::super::stream::read_text(path, src, false, |d| super::read_json(path, d))
            .map(|(raw, _)| raw)
    }

    #[test]
    fn json_metadata_of_the_wrong_type_is_malformed() {
        let j = b"{\n  \"title\": \"T\",\n  \"final_review\": \"yes\",\n  \"items\": []\n}";
        let e = read_json(Path::new("t.json"), j).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json:3: \"final_review\" must be true or false, not \"yes\""
        );
        let e = read_json(Path::new("t.json"), br#"{"domain": 3, "items": []}"#).unwrap_err();
        assert!(e.to_string().contains("\"domain\" must be a string"), "{e}");
        let raw = read_json(
            Path::new("t.json"),
            br#"{"final_review": null, "items": []}"#,
        )
        .unwrap();
        assert!(!raw.meta.final_review);
    }

    #[test]
    fn json_items_and_meta() {
        let j = br#"{"title":"T","domain":"biomedicine","items":[{"id":"B-1","trl":7,"industry":["C2710","2720"],"extra":1}]}"#;
        let raw = read_json(Path::new("t.json"), j).unwrap();
        assert_eq!(raw.meta.domain.as_deref(), Some("biomedicine"));
        assert_eq!(raw.rows[0].get(Field::Trl), "7");
        assert_eq!(raw.rows[0].get(Field::Industry), "C2710；2720");
        assert_eq!(raw.unknown_columns, vec!["extra"]);
        let e = read_json(Path::new("t.json"), b"{\"items\": [1,").unwrap_err();
        assert!(e.to_string().starts_with("t.json:1: not valid JSON"), "{e}");
    }
}

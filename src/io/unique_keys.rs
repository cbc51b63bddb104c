//! JSON whose objects never repeat a key. serde_json (like most parsers) keeps one of two
//! copies of a key without a word, so a signed file with a repeated key could show one reader
//! the signed value and another reader the other: such a file is refused instead. serde_json
//! has no setting for this, hence this small visitor over any JSON value.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// Checks that no object anywhere in `text` holds a key twice (compared after unescaping, so
/// `"a"` and `"\u0061"` are one key); the error names the key and its line and column.
pub fn check(text: &str) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Unique::deserialize(&mut de)?;
    de.end()
}

/// Any JSON value, checked.
struct Unique;

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format!(
                    "the key {key:?} appears twice in one object"
                )));
            }
            map.next_value::<Unique>()?;
            seen.insert(key);
        }
        Ok(Unique)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        super::check(r#"{"a": [1, {"b": null, "c": "x"}], "b": {"a": true}}"#).unwrap();
        for (text, key, line) in [
            ("{\"a\": 1,\n \"a\": 2}", "a", 2),
            (
                "{\"items\": [{\"scores\": {\"x\": 1, \"y\": 2,\n\"x\": 9}}]}",
                "x",
                2,
            ),
            ("{\"a\": 1, \"\\u0061\": 1}", "a", 1),
        ] {
            let e = super::check(text).unwrap_err();
            assert!(
                e.to_string().contains(&format!("{key:?} appears twice")),
                "{e}"
            );
            assert_eq!(e.line(), line, "{e}");
        }
        assert!(super::check("{\"a\": 1} x").is_err(), "trailing text");
    }
}

//! Detecting a text file's encoding, and decoding it without replacing a single byte.

use super::lines::lines_in;

/// The text encodings a CSV can arrive in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 with a byte-order mark (Excel's "Unicode text").
    Utf16,
    /// GB18030 (a superset of GBK and GB2312), as Excel on Chinese Windows writes.
    Gb18030,
}

/// Text whose bytes are not valid in the encoding it was detected as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A UTF-8 byte-order mark, then bytes that are not UTF-8.
    #[error(
        "the file starts with a UTF-8 byte-order mark, but line {line} holds bytes that are not \
         UTF-8 (GBK text saved with a BOM?); re-save it as UTF-8 (Excel: \"CSV UTF-8\"), or as GBK \
         without a BOM"
    )]
    BomNotUtf8 {
        /// The line of the first bad byte.
        line: usize,
    },
    /// A UTF-16 byte-order mark, then text that is not UTF-16.
    #[error(
        "the file starts with a UTF-16 byte-order mark, but line {line} is not valid UTF-16; \
         re-save it as UTF-8"
    )]
    BadUtf16 {
        /// The line of the first bad code unit.
        line: usize,
    },
    /// UTF-8 text with a few bytes that are not UTF-8.
    #[error(
        "line {line} holds bytes that are not UTF-8 in a file that is otherwise UTF-8 (a damaged \
         or partly converted file?); correct that line and re-save the file as UTF-8"
    )]
    DamagedUtf8 {
        /// The line of the first bad byte.
        line: usize,
    },
    /// Neither UTF-8 nor GB18030.
    #[error(
        "the file is neither UTF-8 nor GBK/GB18030: line {line} holds bytes that are invalid in \
         both; re-save it as UTF-8 (Excel: \"CSV UTF-8\") or as GBK"
    )]
    NotText {
        /// The line of the first bad byte.
        line: usize,
    },
}

impl DecodeError {
    /// The line of the first bad byte.
    pub fn line(&self) -> usize {
        match self {
            DecodeError::BomNotUtf8 { line }
            | DecodeError::BadUtf16 { line }
            | DecodeError::DamagedUtf8 { line }
            | DecodeError::NotText { line } => *line,
        }
    }

    /// The message in the catalogue (its English is the Display).
    pub fn msg(&self) -> crate::text::i18n::Msg {
        use crate::text::i18n::T;
        let t = match self {
            DecodeError::BomNotUtf8 { .. } => T::DecBomNotUtf8,
            DecodeError::BadUtf16 { .. } => T::DecBadUtf16,
            DecodeError::DamagedUtf8 { .. } => T::DecDamagedUtf8,
            DecodeError::NotText { .. } => T::DecNotText,
        };
        crate::text::i18n::Msg::new(t, &[("line", &self.line().to_string())])
    }
}

/// Decodes text, detecting the encoding: a BOM wins, then valid UTF-8, else GB18030.
///
/// Valid UTF-8 is a strong signal: GBK text of any length is almost never valid UTF-8.
/// Nothing is replaced silently: bytes the detected encoding cannot read are an error
/// naming their line, so a damaged file is never read as mojibake.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), DecodeError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        return if enc == encoding_rs::UTF_8 {
            decode_strict(enc, body)
                .map(|t| (t, TextEncoding::Utf8))
                .map_err(|line| DecodeError::BomNotUtf8 { line })
        } else {
            decode_strict(enc, body)
                .map(|t| (t, TextEncoding::Utf16))
                .map_err(|line| DecodeError::BadUtf16 { line })
        };
    }
    let first_bad = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok((s.to_string(), TextEncoding::Utf8)),
        Err(e) => e.valid_up_to(),
    };
    if looks_like_damaged_utf8(bytes) {
        // The prefix before the first bad byte is valid UTF-8 by definition.
        let prefix = std::str::from_utf8(&bytes[..first_bad]).unwrap_or("");
        return Err(DecodeError::DamagedUtf8 {
            line: lines_in(prefix),
        });
    }
    decode_strict(encoding_rs::GB18030, bytes)
        .map(|t| (t, TextEncoding::Gb18030))
        .map_err(|line| DecodeError::NotText { line })
}

/// Decodes without replacement; `Err` is the line of the first malformed sequence.
fn decode_strict(enc: &'static encoding_rs::Encoding, bytes: &[u8]) -> Result<String, usize> {
    use encoding_rs::DecoderResult;
    let mut dec = enc.new_decoder_without_bom_handling();
    let cap = dec
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut out = String::with_capacity(cap);
    let mut src = bytes;
    loop {
        let (res, read) = dec.decode_to_string_without_replacement(src, &mut out, true);
        src = &src[read..];
        match res {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(src.len().saturating_mul(3) + 16),
            // `out` holds exactly the text before the bad sequence.
            DecoderResult::Malformed(..) => return Err(lines_in(&out)),
        }
    }
}

/// Whether invalid UTF-8 is more likely a damaged UTF-8 file than GBK: in GBK text only a
/// minority of characters happen to form valid multi-byte UTF-8, while a UTF-8 file with a
/// few broken bytes has valid multi-byte sequences by the hundred.
pub(super) fn looks_like_damaged_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, skip) = match std::str::from_utf8(rest) {
            Ok(s) => (s, rest.len()),
            Err(e) => {
                invalid += 1;
                let n = e.valid_up_to();
                (
                    std::str::from_utf8(&rest[..n]).unwrap_or(""),
                    n + e.error_len().unwrap_or(rest.len() - n),
                )
            }
        };
        multibyte += valid.chars().filter(|c| c.len_utf8() > 1).count();
        rest = &rest[skip.min(rest.len())..];
    }
    invalid > 0 && multibyte >= 10 * invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_encodings() {
        let s = "编号,技术名称\nA-1,量子点显示\n";
        assert_eq!(
            decode(s.as_bytes()),
            Ok((s.to_string(), TextEncoding::Utf8))
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom), Ok((s.to_string(), TextEncoding::Utf8)));
        let (gb, _, _) = encoding_rs::GB18030.encode(s);
        assert_eq!(decode(&gb), Ok((s.to_string(), TextEncoding::Gb18030)));
        let mut u16 = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&u16), Ok((s.to_string(), TextEncoding::Utf16)));
    }

    #[test]
    fn undecodable_bytes_are_errors_with_their_line() {
        let s = "编号,技术名称,domain\nA-1,量子点显示,biomedicine\nA-2,生物材料,biomedicine\n";
        // A BOM, then GBK: the Notepad/Excel mix-up.
        let (gb, _, _) = encoding_rs::GB18030.encode(s);
        let mut bom_gbk = vec![0xEF, 0xBB, 0xBF];
        bom_gbk.extend_from_slice(&gb);
        assert_eq!(decode(&bom_gbk), Err(DecodeError::BomNotUtf8 { line: 1 }));
        // UTF-8 with one stray byte on line 3 is damaged UTF-8, not GBK mojibake.
        let long = s.repeat(3);
        let mut damaged = long.as_bytes().to_vec();
        let at = long.find("生物").unwrap();
        damaged[at + 1] = 0xFF;
        let e = decode(&damaged).unwrap_err();
        assert_eq!(e, DecodeError::DamagedUtf8 { line: 3 });
        assert!(e.to_string().contains("re-save the file as UTF-8"), "{e}");
        // Bytes invalid in GB18030 too (0xFF never starts a character).
        let mut bad = gb.to_vec();
        bad.extend_from_slice(b"A-3,\x80\xff\n");
        assert_eq!(decode(&bad), Err(DecodeError::NotText { line: 4 }));
        // UTF-16 with an unpaired surrogate.
        let mut u16 = vec![0xFF, 0xFE];
        for u in "a\nb\n".encode_utf16().chain([0xD800, 0x41]) {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&u16), Err(DecodeError::BadUtf16 { line: 3 }));
    }

    #[test]
    fn a_gbk_file_is_not_mistaken_for_damaged_utf8() {
        // Some GBK characters happen to be valid UTF-8 (小 = D0 A1); most are not.
        let s = "编号,技术名称,推荐单位\nA-1,小型化量子点显示,中国电子学会\nA-2,小分子药物,中国药学会\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(s);
        assert_eq!(decode(&gb), Ok((s.to_string(), TextEncoding::Gb18030)));
    }
}

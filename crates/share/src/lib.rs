//! Permalink codec: a scenario plus the run settings (seed, paths, stress tests) packed into one
//! string that can sit in a URL fragment (`https://…/headroom/#hr1.…`), so a shared link
//! reproduces the exact same run.
//!
//! Pure Rust with no browser dependency, so the UI (wasm32), the CLI and tests can all use it.
//!
//! # Format (version 1)
//!
//! ```text
//! hr1.<base64url, no padding>
//!      └─ [u32 BE: n][n bytes: raw DEFLATE of the payload JSON][u32 BE: CRC-32 of the previous 4 + n bytes]
//! ```
//!
//! * `hr` marks a Headroom link, the number after it is the format version (a link from a newer
//!   build is reported as [`LinkError::NewerFormat`], not as garbage);
//! * the length field tells a truncated link (fewer bytes than announced) from a damaged one;
//! * the CRC-32 catches tampering and copy/paste damage; the base64url text must also be
//!   canonical (unused trailing bits zero), so every single-character change is detected;
//! * the payload JSON is `{"scenario": "<scenario JSON text>", "seed", "paths", "stress",
//!   "engine"}`; the scenario is carried as text, byte for byte, and validated by the engine
//!   when the link is opened, not here.
//!
//! Every character of the output is in `[A-Za-z0-9._-]`: safe in a fragment, a query value or
//! a wiki macro parameter without escaping.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};

/// Format version written by [`encode`]; [`decode`] reads this version only.
pub const FORMAT_VERSION: u32 = 1;

/// Longest link text [`decode`] looks at. Browsers accept far longer URLs, but a link this
/// size is not something anybody shares; the bound keeps decoding cheap.
pub const MAX_LINK_CHARS: usize = 256 * 1024;

/// Largest decompressed payload accepted: bounds the memory a hostile link can claim
/// (a "zip bomb" stops here).
pub const MAX_PAYLOAD_BYTES: usize = 4 * 1024 * 1024;

const MAGIC: &str = "hr";
/// Level 9 of miniz: the best ratio; links are small, so speed does not matter.
const DEFLATE_LEVEL: u8 = 9;

/// What a permalink carries: everything needed to repeat a run exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The scenario as JSON text (the engine's normalized JSON, as the UI edits it).
    #[serde(rename = "scenario")]
    pub scenario_json: String,
    pub seed: u64,
    pub paths: u32,
    /// Names of the stress tests applied, in order.
    #[serde(default)]
    pub stress: Vec<String>,
    /// Engine version the link was made with (`engine::ENGINE_VERSION`).
    #[serde(rename = "engine")]
    pub engine_version: String,
}

impl Link {
    /// `Some` when the link was made with another engine version than `running`: not an
    /// error (the scenario still loads), but the numbers may differ from the shared ones, so
    /// the UI should show [`EngineMismatch`]'s message next to the results.
    pub fn engine_mismatch(&self, running: &str) -> Option<EngineMismatch> {
        (self.engine_version != running).then(|| EngineMismatch {
            link: self.engine_version.clone(),
            running: running.to_owned(),
        })
    }
}

/// A link made with a different engine version (see [`Link::engine_mismatch`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineMismatch {
    /// Engine version recorded in the link.
    pub link: String,
    /// Engine version of this build.
    pub running: String,
}

impl fmt::Display for EngineMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this link was made with engine {}, this is engine {}: the results may differ \
             from the ones that were shared",
            self.link, self.running
        )
    }
}

/// Why a string is not a usable link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Does not start with `hr<version>.`: not a Headroom link at all.
    NotHeadroomLink,
    /// Made by a newer Headroom with a link format this build does not know.
    NewerFormat { version: u32 },
    /// Shorter than it announces: cut off when it was copied.
    Truncated,
    /// The checksum does not match: the link was altered.
    BadChecksum,
    /// Right length and prefix, but the content is damaged (a character outside base64url,
    /// extra data, a payload that does not inflate or is not a link).
    Corrupt(String),
    /// Longer than [`MAX_LINK_CHARS`], or inflates beyond [`MAX_PAYLOAD_BYTES`].
    TooLong,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::NotHeadroomLink => write!(f, "this is not a Headroom link"),
            LinkError::NewerFormat { version } => write!(
                f,
                "this link uses format {version}, made by a newer Headroom (this one reads \
                 format {FORMAT_VERSION}): open it with the newer version"
            ),
            LinkError::Truncated => write!(
                f,
                "this link is incomplete: it was probably cut off when it was copied"
            ),
            LinkError::BadChecksum => write!(
                f,
                "this link is damaged: its checksum does not match (was it edited?)"
            ),
            LinkError::Corrupt(why) => write!(f, "this link is damaged: {why}"),
            LinkError::TooLong => write!(f, "this link is too long to be a Headroom link"),
        }
    }
}

impl std::error::Error for LinkError {}

/// base64url without padding; decoding tolerates non-zero trailing bits because [`decode`]
/// checks canonical form itself (to report truncation rather than a decoding error).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// Packs a link into `hr1.<base64url>`.
pub fn encode(link: &Link) -> String {
    // Serializing strings and integers cannot fail.
    let json = serde_json::to_vec(link).unwrap_or_default();
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, DEFLATE_LEVEL);
    let len = u32::try_from(deflated.len()).unwrap_or(u32::MAX);
    let mut bytes = Vec::with_capacity(deflated.len() + 8);
    bytes.extend_from_slice(&len.to_be_bytes());
    bytes.extend_from_slice(&deflated);
    let crc = crc32(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    format!("{MAGIC}{FORMAT_VERSION}.{}", LENIENT.encode(&bytes))
}

/// Unpacks a link made by [`encode`]. Accepts the bare code or a fragment (`#hr1.…`),
/// with surrounding whitespace. Never panics, whatever the input.
pub fn decode(text: &str) -> Result<Link, LinkError> {
    let text = text.trim();
    let text = text.strip_prefix('#').unwrap_or(text);
    let rest = text.strip_prefix(MAGIC).ok_or(LinkError::NotHeadroomLink)?;
    let (version, body) = rest.split_once('.').ok_or(LinkError::NotHeadroomLink)?;
    if version.is_empty()
        || version.len() > 9
        || version.starts_with('0')
        || !version.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(LinkError::NotHeadroomLink);
    }
    let version: u32 = version.parse().map_err(|_| LinkError::NotHeadroomLink)?;
    if version > FORMAT_VERSION {
        return Err(LinkError::NewerFormat { version });
    }
    if version < FORMAT_VERSION {
        // No earlier format was ever published.
        return Err(LinkError::NotHeadroomLink);
    }
    if body.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong);
    }
    if let Some(bad) = body
        .chars()
        .position(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return Err(LinkError::Corrupt(format!(
            "character {} is not allowed in a link",
            bad + 1
        )));
    }
    // A length of 4k+1 characters cannot come from encode(): the last character was cut
    // (or one was added; the length field below tells which).
    let usable = if body.len() % 4 == 1 {
        &body[..body.len() - 1]
    } else {
        body
    };
    let bytes = LENIENT
        .decode(usable)
        .map_err(|e| LinkError::Corrupt(e.to_string()))?;
    let Some(len_bytes) = bytes.first_chunk::<4>() else {
        return Err(LinkError::Truncated);
    };
    let len = u32::from_be_bytes(*len_bytes) as usize;
    let expected = len.checked_add(8).ok_or(LinkError::Truncated)?;
    if bytes.len() < expected {
        return Err(LinkError::Truncated);
    }
    if bytes.len() > expected || usable.len() != body.len() {
        return Err(LinkError::Corrupt("unexpected data at the end".into()));
    }
    // Canonical form: a changed last character that only touches the unused low bits
    // decodes to the same bytes, so compare against a fresh encoding.
    if LENIENT.encode(&bytes) != body {
        return Err(LinkError::BadChecksum);
    }
    let (framed, crc_bytes) = bytes.split_at(4 + len);
    let crc = u32::from_be_bytes(crc_bytes.try_into().map_err(|_| LinkError::Truncated)?);
    if crc32(framed) != crc {
        return Err(LinkError::BadChecksum);
    }
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&framed[4..], MAX_PAYLOAD_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLong,
            _ => LinkError::Corrupt(format!("cannot inflate the payload: {e}")),
        })?;
    serde_json::from_slice(&json)
        .map_err(|e| LinkError::Corrupt(format!("the payload is not a Headroom link: {e}")))
}

/// CRC-32 (IEEE 802.3, the zlib/PNG one), bitwise: links are a few kB, a table is not worth it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Link {
        Link {
            scenario_json: r#"{"name":"tiny","workloads":[]}"#.into(),
            seed: u64::MAX,
            paths: 2000,
            stress: vec!["neo-a down 72h".into(), "price +40%".into()],
            engine_version: "0.1.0".into(),
        }
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn round_trip_and_alphabet() {
        let link = sample();
        let code = encode(&link);
        assert!(code.starts_with("hr1."));
        assert!(
            code.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        );
        assert_eq!(decode(&code), Ok(link.clone()));
        assert_eq!(decode(&format!("  #{code}\n")), Ok(link));
    }

    #[test]
    fn prefixes() {
        assert_eq!(decode(""), Err(LinkError::NotHeadroomLink));
        assert_eq!(decode("https://x"), Err(LinkError::NotHeadroomLink));
        assert_eq!(decode("hr.abc"), Err(LinkError::NotHeadroomLink));
        assert_eq!(decode("hr01.abc"), Err(LinkError::NotHeadroomLink));
        assert_eq!(decode("hr0.abc"), Err(LinkError::NotHeadroomLink));
        assert_eq!(
            decode("hr2.abcd"),
            Err(LinkError::NewerFormat { version: 2 })
        );
        assert_eq!(
            decode("hr99999999999.abcd"),
            Err(LinkError::NotHeadroomLink)
        );
        assert_eq!(decode("hr1."), Err(LinkError::Truncated));
        assert!(matches!(decode("hr1.ab+c"), Err(LinkError::Corrupt(_))));
    }

    #[test]
    fn engine_mismatch_is_a_notice() {
        let link = sample();
        assert_eq!(link.engine_mismatch("0.1.0"), None);
        let notice = link.engine_mismatch("0.2.0").unwrap();
        assert!(notice.to_string().contains("0.1.0"));
        assert!(notice.to_string().contains("0.2.0"));
    }

    #[test]
    fn payload_that_is_not_a_link() {
        let deflated = miniz_oxide::deflate::compress_to_vec(b"{\"x\":1}", 9);
        let mut bytes = (deflated.len() as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(&deflated);
        let crc = crc32(&bytes);
        bytes.extend_from_slice(&crc.to_be_bytes());
        let code = format!("hr1.{}", LENIENT.encode(&bytes));
        assert!(matches!(decode(&code), Err(LinkError::Corrupt(_))));
    }

    #[test]
    fn inflation_is_bounded() {
        let huge = vec![b' '; MAX_PAYLOAD_BYTES + 10];
        let deflated = miniz_oxide::deflate::compress_to_vec(&huge, 9);
        let mut bytes = (deflated.len() as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(&deflated);
        let crc = crc32(&bytes);
        bytes.extend_from_slice(&crc.to_be_bytes());
        let code = format!("hr1.{}", LENIENT.encode(&bytes));
        assert_eq!(decode(&code), Err(LinkError::TooLong));
    }
}

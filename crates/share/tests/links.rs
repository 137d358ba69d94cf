//! The codec against real scenarios: round trips, damage detection, link sizes, and a seeded
//! fuzz run showing that no input makes `decode` panic.

use std::path::PathBuf;

use share::{Link, LinkError, decode, encode};

fn scenarios() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let scenario = engine::parse_scenario(&text, engine::Format::Toml)
                .unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, serde_json::to_string(&scenario).unwrap()));
        }
    }
    out.sort();
    assert!(
        out.len() >= 7,
        "scenario files not found in {}",
        dir.display()
    );
    out
}

fn link_for(scenario_json: String) -> Link {
    Link {
        scenario_json,
        seed: 42,
        paths: 2000,
        stress: vec!["neo-a down 72h".into()],
        engine_version: engine::ENGINE_VERSION.into(),
    }
}

/// Deterministic xorshift64*: the fuzz run is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[test]
fn every_scenario_round_trips_and_the_engine_accepts_it() {
    for (name, json) in scenarios() {
        let link = link_for(json);
        let code = encode(&link);
        let back = decode(&code).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, link, "{name}");
        // What comes back is still a scenario the engine reads, identical to the original.
        let reparsed = engine::parse_scenario(&back.scenario_json, engine::Format::Json).unwrap();
        assert_eq!(
            serde_json::to_string(&reparsed).unwrap(),
            link.scenario_json
        );
        assert_eq!(back.engine_mismatch(engine::ENGINE_VERSION), None);
        println!(
            "{name}: scenario JSON {} bytes -> link {} chars",
            link.scenario_json.len(),
            code.len()
        );
    }
}

#[test]
fn architectures_link_size() {
    let (_, json) = scenarios()
        .into_iter()
        .find(|(name, _)| name == "architectures.toml")
        .unwrap();
    let json_len = json.len();
    let code = encode(&link_for(json));
    println!(
        "architectures.toml: scenario JSON {json_len} bytes, link {} chars ({:.0}%)",
        code.len(),
        100.0 * code.len() as f64 / json_len as f64
    );
    // Fits comfortably in any browser's URL and in a chat message.
    assert!(code.len() < 8000, "link is {} chars", code.len());
}

#[test]
fn every_truncation_is_detected() {
    for (name, json) in scenarios().into_iter().take(3) {
        let code = encode(&link_for(json));
        for cut in 0..code.len() {
            let result = decode(&code[..cut]);
            if cut >= 4 {
                assert_eq!(result, Err(LinkError::Truncated), "{name} cut at {cut}");
            } else {
                assert_eq!(
                    result,
                    Err(LinkError::NotHeadroomLink),
                    "{name} cut at {cut}"
                );
            }
        }
    }
}

#[test]
fn every_single_character_change_is_detected() {
    let (_, json) = scenarios()
        .into_iter()
        .find(|(name, _)| name == "three-lane.toml")
        .unwrap();
    let link = link_for(json);
    let code = encode(&link);
    let mut rng = Rng(0x5EED);
    for i in 0..code.len() {
        for _ in 0..4 {
            let mut bytes = code.clone().into_bytes();
            let replacement = ALPHABET[rng.below(ALPHABET.len())];
            if replacement == bytes[i] {
                continue;
            }
            bytes[i] = replacement;
            let tampered = String::from_utf8(bytes).unwrap();
            assert!(decode(&tampered).is_err(), "change at {i} not detected");
        }
        // An inserted or deleted character is caught too.
        let mut inserted = code.clone();
        inserted.insert(i, 'A');
        assert_ne!(decode(&inserted), Ok(link.clone()), "insertion at {i}");
        let mut deleted = code.clone();
        deleted.remove(i);
        assert!(decode(&deleted).is_err(), "deletion at {i}");
    }
}

#[test]
fn decode_never_panics_on_arbitrary_input() {
    let (_, json) = scenarios()
        .into_iter()
        .find(|(name, _)| name == "quota-cut.toml")
        .unwrap();
    let valid = encode(&link_for(json));
    let mut rng = Rng(0x00C0_FFEE);
    for round in 0..3000 {
        let input = match round % 3 {
            // Random bytes (lossily made text), sometimes behind a valid prefix.
            0 => {
                let len = rng.below(200);
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if rng.below(2) == 0 {
                    format!("hr1.{text}")
                } else {
                    text
                }
            }
            // Random base64url bodies.
            1 => {
                let len = rng.below(300);
                let body: String = (0..len)
                    .map(|_| ALPHABET[rng.below(ALPHABET.len())] as char)
                    .collect();
                format!("hr1.{body}")
            }
            // A valid link with several random changes and a random cut.
            _ => {
                let mut bytes = valid.clone().into_bytes();
                for _ in 0..1 + rng.below(5) {
                    let i = rng.below(bytes.len());
                    bytes[i] = ALPHABET[rng.below(ALPHABET.len())];
                }
                let cut = bytes.len() - rng.below(bytes.len() / 4);
                String::from_utf8(bytes[..cut].to_vec()).unwrap()
            }
        };
        // Must return (Ok or Err), never panic; an Ok must re-encode to itself.
        if let Ok(link) = decode(&input) {
            assert_eq!(encode(&link), input.trim().trim_start_matches('#'));
        }
    }
}

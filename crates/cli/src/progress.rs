//! A one-line progress bar on stderr, hand-written: it needs a dozen lines, not a dependency.
//!
//! It stays silent unless stderr is a terminal (so logs and pipes stay clean) and the run has
//! already taken longer than `DELAY` (so quick runs do not flicker).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_millis(300);
/// Redraw at most this often; chunks can finish thousands of times a second.
const INTERVAL: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

pub struct Progress {
    enabled: bool,
    unit: &'static str,
    start: Instant,
    last_draw: Option<Instant>,
}

impl Progress {
    pub fn stderr(unit: &'static str) -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            unit,
            start: Instant::now(),
            last_draw: None,
        }
    }

    pub fn update(&mut self, done: u32, total: u32) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.start) < DELAY {
            return;
        }
        if self
            .last_draw
            .is_some_and(|t| now.duration_since(t) < INTERVAL && done < total)
        {
            return;
        }
        self.last_draw = Some(now);
        let frac = if total == 0 {
            1.0
        } else {
            f64::from(done) / f64::from(total)
        };
        let filled = ((frac * WIDTH as f64).round() as usize).min(WIDTH);
        let line = format!(
            "\r[{}{}] {:>3.0}% {}/{} {}  {:.1}s",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            frac * 100.0,
            done,
            total,
            self.unit,
            now.duration_since(self.start).as_secs_f64()
        );
        // A progress bar that cannot be drawn is not worth failing the run for.
        let _ = std::io::stderr().write_all(line.as_bytes());
    }

    /// Erase the bar so the terminal is left as it was.
    pub fn finish(&mut self) {
        if self.last_draw.take().is_some() {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
        }
    }
}

//! Minimal static file server for `dist/`, so browser tests exercise the real release
//! build rather than `trunk serve` (which injects its live-reload script).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use anyhow::Result;

/// A running server; [`Server::stop`] shuts it down.
pub struct Server {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Server {
    /// The loopback address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        // The accept loop is blocked in accept(); a connection wakes it up to see the flag.
        let _ = TcpStream::connect(self.addr);
        let _ = self.thread.join();
    }
}

/// Serves `dir` at the root of a free loopback port.
pub fn start(dir: &Path) -> Result<Server> {
    start_with(dir, "/", &[])
}

/// Serves `dir` under the URL path `prefix` (e.g. `/wiki/attachments/headroom/`, as a wiki
/// would host an attachment folder), adding `headers` (e.g. a Content-Security-Policy) to
/// every response. Anything outside the prefix is a 404.
pub fn start_with(dir: &Path, prefix: &str, headers: &[(&str, &str)]) -> Result<Server> {
    let prefix: Arc<str> = prefix.into();
    let extra: Arc<str> = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect::<String>()
        .into();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let stopping = Arc::new(AtomicBool::new(false));
    let dir = dir.to_path_buf();
    let flag = stopping.clone();
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let dir = dir.clone();
            let (prefix, extra) = (prefix.clone(), extra.clone());
            std::thread::spawn(move || {
                let _ = handle(stream, &dir, &prefix, &extra);
            });
        }
    });
    Ok(Server {
        addr,
        stopping,
        thread,
    })
}

fn handle(mut stream: TcpStream, dir: &Path, prefix: &str, extra: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; nothing in them changes the answer.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let file = if method == "GET" || method == "HEAD" {
        target
            .strip_prefix(prefix.trim_end_matches('/'))
            .filter(|rest| rest.starts_with('/'))
            .and_then(|rest| resolve(dir, rest))
    } else {
        None
    };
    let (status, body, mime) = match file.and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
        Some((path, body)) => ("200 OK", body, mime_type(&path)),
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// Maps a request target to a file under `dir`, refusing anything that escapes it.
fn resolve(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let full = dir.join(relative);
    if full.is_dir() {
        Some(full.join("index.html"))
    } else {
        Some(full)
    }
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "toml" | "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside_dir() {
        let dir = Path::new("/srv");
        assert_eq!(resolve(dir, "/../etc/passwd"), None);
        assert_eq!(resolve(dir, "/a/./b"), Some(PathBuf::from("/srv/a/b")));
        assert_eq!(resolve(dir, "/x.js?v=1"), Some(PathBuf::from("/srv/x.js")));
    }

    fn get(server: &Server, path: &str) -> String {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut response = String::new();
        std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
        response
    }

    #[test]
    fn serves_under_a_prefix_with_extra_headers() {
        let dir = std::env::temp_dir().join(format!("xtask-static-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "hello").unwrap();
        let server = start_with(
            &dir,
            "/wiki/a/",
            &[("Content-Security-Policy", "default-src 'self'")],
        )
        .unwrap();
        let ok = get(&server, "/wiki/a/");
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(ok.contains("\r\nContent-Security-Policy: default-src 'self'\r\n"));
        assert!(ok.ends_with("hello"));
        assert!(get(&server, "/wiki/a/index.html").starts_with("HTTP/1.1 200"));
        assert!(get(&server, "/index.html").starts_with("HTTP/1.1 404"));
        assert!(get(&server, "/wiki/ab/index.html").starts_with("HTTP/1.1 404"));
        server.stop();
        let _ = std::fs::remove_dir_all(&dir);
    }
}

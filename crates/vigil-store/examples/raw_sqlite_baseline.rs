//! The benchmark's baseline: how many durable single-row inserts per second SQLite does on
//! this machine with vigil's own pragmas (WAL, synchronous = FULL), one commit per insert,
//! rows the size of an account plus its event.
//!
//! `cargo run --release -p vigil-store --example raw_sqlite_baseline -- DIR SECONDS`

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "bench-baseline".into()));
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("baseline.db");
    let _ = std::fs::remove_file(&path);
    let conn = vigil_store::sqlite::open_connection(&path)?;
    conn.execute_batch(
        "CREATE TABLE rows (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)",
    )?;
    let body = "x".repeat(600);
    let started = Instant::now();
    let mut n: u64 = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        let tx = conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO rows (id, body) VALUES (?1, ?2)",
            rusqlite::params![format!("act_{n:024}"), body],
        )?;
        tx.commit()?;
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    println!("{rate:.0}");
    Ok(())
}

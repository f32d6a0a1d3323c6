//! `vigil match`: score two names the way screening does, and say why.
//!
//! For people tuning thresholds and for evaluation scripts: with two arguments it scores
//! that pair; with none it reads `NAME A<TAB>NAME B` lines from stdin and answers one
//! line per pair, in order. A line that is not a pair is reported on stderr with its
//! number and skipped; the batch goes on, and the exit code says whether any line failed.

use std::io::{BufRead, Write};

use serde_json::json;
use vigil_screening::name::score::{Comparison, How, Note};
use vigil_screening::name::{self, NameScore, Script};

#[derive(clap::Args)]
pub struct MatchArgs {
    /// The name being screened (omit both names to read tab-separated pairs from stdin).
    query: Option<String>,
    /// The listed name it is compared with.
    candidate: Option<String>,
    /// Print JSON (one object per pair) instead of text.
    #[arg(long)]
    json: bool,
    /// Scores at or above this are matches.
    #[arg(long, default_value_t = name::DEFAULT_THRESHOLD)]
    threshold: f64,
}

pub fn run(args: MatchArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.threshold) {
        anyhow::bail!("--threshold must be between 0 and 1");
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match (&args.query, &args.candidate) {
        (Some(query), Some(candidate)) => {
            let scored = name::score(&name::prepare(query), &name::prepare(candidate));
            if args.json {
                writeln!(
                    out,
                    "{}",
                    as_json(query, candidate, &scored, args.threshold)
                )?;
            } else {
                write_text(&mut out, &scored, args.threshold)?;
            }
        }
        (None, None) => {
            let mut bad_lines = 0;
            for (number, line) in std::io::stdin().lock().lines().enumerate() {
                let line = match line {
                    Ok(line) => line,
                    Err(error) => {
                        eprintln!("stdin line {}: {error}; skipped", number + 1);
                        bad_lines += 1;
                        continue;
                    }
                };
                if line.trim().is_empty() {
                    continue;
                }
                let Some((query, candidate)) = line.split_once('\t') else {
                    eprintln!(
                        "stdin line {}: expected NAME A<TAB>NAME B; skipped",
                        number + 1
                    );
                    bad_lines += 1;
                    continue;
                };
                let scored = name::score(&name::prepare(query), &name::prepare(candidate));
                if args.json {
                    writeln!(
                        out,
                        "{}",
                        as_json(query, candidate, &scored, args.threshold)
                    )?;
                } else {
                    let verdict = if scored.score >= args.threshold {
                        "match"
                    } else {
                        "no-match"
                    };
                    writeln!(out, "{:.3}\t{verdict}\t{query}\t{candidate}", scored.score)?;
                }
            }
            out.flush()?;
            if bad_lines > 0 {
                anyhow::bail!("{bad_lines} line(s) of the batch could not be read (see above)");
            }
        }
        _ => anyhow::bail!("give two names, or none to read tab-separated pairs from stdin"),
    }
    out.flush()?;
    Ok(())
}

fn as_json(query: &str, candidate: &str, scored: &NameScore, threshold: f64) -> serde_json::Value {
    json!({
        "query": query,
        "candidate": candidate,
        "score": (scored.score * 1000.0).round() / 1000.0,
        "match": scored.score >= threshold,
        "threshold": threshold,
        "explanation": scored.explanation,
    })
}

fn write_text(out: &mut impl Write, scored: &NameScore, threshold: f64) -> std::io::Result<()> {
    let verdict = if scored.score >= threshold {
        "match"
    } else {
        "no match"
    };
    writeln!(
        out,
        "{:.3}  {verdict} (threshold {threshold})",
        scored.score
    )?;
    let explanation = &scored.explanation;
    for pair in &explanation.pairs {
        let sign = if pair.how == How::Exact { "=" } else { "~" };
        let how = serde_json::to_value(pair.how).unwrap_or_default();
        let how = how.as_str().unwrap_or("");
        writeln!(
            out,
            "  {} {sign} {}  ({how} {:.3})",
            pair.query, pair.candidate, pair.score
        )?;
    }
    if !explanation.unmatched_query.is_empty() {
        writeln!(
            out,
            "  unmatched in the first name: {}",
            explanation.unmatched_query.join(" ")
        )?;
    }
    if !explanation.unmatched_candidate.is_empty() {
        writeln!(
            out,
            "  unmatched in the second name: {}",
            explanation.unmatched_candidate.join(" ")
        )?;
    }
    for dropped in &explanation.dropped {
        let why = serde_json::to_value(dropped.why).unwrap_or_default();
        writeln!(
            out,
            "  ignored: {} ({})",
            dropped.word,
            why.as_str().unwrap_or("")
        )?;
    }
    for note in &explanation.notes {
        writeln!(out, "  {}", describe(note))?;
    }
    Ok(())
}

/// A rule that shaped the score, in words.
fn describe(note: &Note) -> String {
    let name = |script: &Script| {
        serde_json::to_value(script)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    match note {
        Note::Scripts {
            query,
            candidate,
            compared_on,
        } => {
            let on = match compared_on {
                Comparison::Letters => "letters, after romanizing",
                Comparison::Characters => "characters, one by one",
                Comparison::Korean => "syllables, whatever the romanization",
                Comparison::Consonants => "consonants (Arabic and Hebrew write no short vowels)",
            };
            format!(
                "scripts: {} / {}, compared on {on}",
                name(query),
                name(candidate)
            )
        }
        Note::FamilyNameUnexplained { word } => {
            format!(
                "family name left unexplained: {word} (another person may share the other names)"
            )
        }
        Note::NumbersDiffer => "the names carry different numbers".to_owned(),
    }
}

//! `vigil match`: score two names the way screening does, and say why.
//!
//! For people tuning thresholds and for evaluation scripts: with two arguments it scores
//! that pair; with none it reads `NAME A<TAB>NAME B` lines from stdin and answers one
//! line per pair, in order. A line that is not a pair is reported on stderr with its
//! number and skipped; the batch goes on, and the exit code says whether any line failed.
//! With `--list FILE` (one listed name per line), the second name is scored as a name of
//! that list, with how common its words are there, as screening against it does.

use std::io::{BufRead, Write};

use serde_json::json;
use vigil_screening::name::score::{score_with, Comparison, How, Note, WordCounts};
use vigil_screening::name::{self, NameIndex, NameScore, Script};

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
    /// A file of listed names, one per line: the second name is scored as one of them,
    /// knowing how common each word is in that list.
    #[arg(long, value_name = "FILE")]
    list: Option<std::path::PathBuf>,
}

/// The names of `--list`, indexed for their word counts (the index screening uses).
fn read_list(path: &std::path::Path) -> anyhow::Result<NameIndex<()>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("--list {}: {e}", path.display()))?;
    let mut index = NameIndex::new();
    for line in text.lines() {
        index.insert(&name::prepare(line), ());
    }
    if index.is_empty() {
        anyhow::bail!("--list {}: no names in the file", path.display());
    }
    Ok(index)
}

pub fn run(args: MatchArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.threshold) {
        anyhow::bail!("--threshold must be between 0 and 1");
    }
    let list = args.list.as_deref().map(read_list).transpose()?;
    let counts = list.as_ref().map(|l| l as &dyn WordCounts);
    let score = |query: &str, candidate: &str| {
        score_with(&name::prepare(query), &name::prepare(candidate), counts)
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match (&args.query, &args.candidate) {
        (Some(query), Some(candidate)) => {
            let scored = score(query, candidate);
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
                let scored = score(query, candidate);
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
                Comparison::Characters if *query == Script::Han => {
                    "characters, one by one (traditional ones as their simplified forms)"
                }
                Comparison::Characters => "characters, one by one",
                Comparison::Korean => "syllables, whatever the romanization",
                Comparison::Consonants
                    if *query == Script::Hebrew || *candidate == Script::Hebrew =>
                {
                    "consonants (Hebrew writes no short vowels; a Latin ch or kh is read as \
                     chet or kaf, sh and s as shin, f and p as pe)"
                }
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
        Note::CommonWordsOnly { words, names } => {
            let words: Vec<String> = words
                .iter()
                .map(|w| format!("{} (in {} of {names} listed names)", w.word, w.names))
                .collect();
            format!(
                "only common words of the list matched: {}; the rest of the first name weighs more",
                words.join(", ")
            )
        }
    }
}

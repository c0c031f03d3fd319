//! The outcome: one table of measured against target on stdout, and `bench/results.json`.
//!
//! A missed target is a finding, not a failure: the report shows it and the run still succeeds.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};

/// What a metric must reach.
#[derive(Debug, Clone, Copy)]
pub enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

impl Goal {
    fn met(self, value: f64) -> bool {
        match self {
            Goal::AtMost(limit) => value <= limit,
            Goal::AtLeast(limit) => value >= limit,
        }
    }

    fn text(self, unit: &str) -> String {
        let text = match self {
            Goal::AtMost(limit) => format!("≤ {} {unit}", number(limit)),
            Goal::AtLeast(limit) => format!("≥ {} {unit}", number(limit)),
        };
        text.trim_end().to_owned()
    }
}

/// One line of the table and one key of the JSON.
#[derive(Debug, Clone)]
pub struct Row {
    /// The JSON key, also the metric's name in the table.
    pub key: &'static str,
    pub unit: &'static str,
    /// `Err(reason)` when the metric is not measured in this run.
    pub value: Result<f64, String>,
    pub goal: Option<Goal>,
    /// How the measure departs from what was asked, printed under the table.
    pub note: Option<String>,
}

impl Row {
    pub fn measured(key: &'static str, unit: &'static str, value: f64, goal: Option<Goal>) -> Row {
        Row {
            key,
            unit,
            value: Ok(value),
            goal,
            note: None,
        }
    }

    pub fn not_measured(key: &'static str, reason: &str, goal: Goal) -> Row {
        Row {
            key,
            unit: "",
            value: Err(reason.to_owned()),
            goal: Some(goal),
            note: None,
        }
    }

    /// A measure without a target that this run could not take.
    pub fn skipped(key: &'static str, reason: &str) -> Row {
        Row {
            key,
            unit: "",
            value: Err(reason.to_owned()),
            goal: None,
            note: None,
        }
    }

    pub fn with_note(self, note: String) -> Row {
        Row {
            note: Some(note),
            ..self
        }
    }

    fn ok(&self) -> Option<bool> {
        Some(self.goal?.met(*self.value.as_ref().ok()?))
    }
}

/// Numbers as people read them: no trailing `.0`, thousands separated.
fn number(value: f64) -> String {
    let text = if value.fract() == 0.0 || value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |rest| ("-", rest));
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// The table, aligned for a terminal.
pub fn table(rows: &[Row]) -> String {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|row| {
            let measured = match &row.value {
                Ok(value) => format!("{} {}", number(*value), row.unit)
                    .trim_end()
                    .to_owned(),
                Err(reason) => format!("not measured: {reason}"),
            };
            let target = row
                .goal
                .map_or_else(|| "-".to_owned(), |goal| goal.text(row.unit));
            let ok = match row.ok() {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            };
            [row.key.to_owned(), measured, target, ok.to_owned()]
        })
        .collect();
    let header = ["metric", "measured", "target", "ok?"].map(str::to_owned);
    let mut widths = header.clone().map(|cell| cell.chars().count());
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String; 4]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "| {} |", padded.join(" | "));
    };
    line(&header);
    line(&widths.map(|width| "-".repeat(width)));
    for cells in &cells {
        line(cells);
    }
    for row in rows {
        if let Some(note) = &row.note {
            let _ = writeln!(out, "\n{}: {note}", row.key);
        }
    }
    out
}

/// `results.json`: every row's key with its number (or `null`), the table's judgements under
/// `targets`, and `extra` (machine, load generator, settings of the run).
pub fn json(rows: &[Row], extra: Map<String, Value>) -> Value {
    let mut out = Map::new();
    let mut targets = Map::new();
    for row in rows {
        // Two decimals: more would be noise, not precision.
        let value = row.value.as_ref().ok().map(|v| (v * 100.0).round() / 100.0);
        out.insert(row.key.to_owned(), json!(value));
        let mut judgement = Map::new();
        if let Some(goal) = row.goal {
            judgement.insert("target".into(), json!(goal.text(row.unit)));
        }
        judgement.insert("ok".into(), json!(row.ok()));
        if let Err(reason) = &row.value {
            judgement.insert("not_measured".into(), json!(reason));
        }
        if let Some(note) = &row.note {
            judgement.insert("note".into(), json!(note));
        }
        targets.insert(row.key.to_owned(), Value::Object(judgement));
    }
    out.insert("targets".into(), Value::Object(targets));
    out.extend(extra);
    Value::Object(out)
}

/// Writes `value` to `path`, creating its directory.
pub fn write(path: &Path, value: &Value) -> Result<()> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(value)? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The 1, 5 and 15 minute load averages (Linux), e.g. `0.12 0.30 0.25`.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let averages: Vec<&str> = text.split_whitespace().take(3).collect();
    Some(averages.join(" "))
}

/// What the run ran on, for the README's "machine" line.
pub fn machine(cpus: usize, pinned: bool) -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
        .map(|(_, name)| name.trim().to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|text| text.trim().to_owned());
    json!({
        "nproc": cpus,
        "cpu_model": model,
        "kernel": kernel,
        "taskset": pinned,
        "placement": if pinned {
            "gateway on CPU 0; load generator and simulator on CPU 1 (taskset)"
        } else {
            "unpinned (taskset not found or fewer than 2 CPUs)"
        },
    })
}

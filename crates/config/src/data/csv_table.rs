//! Reading the user's CSV (pasted or uploaded): numeric columns such as `x,y` or `x,y,label`.
//!
//! Records are split by the `csv` crate (quotes, `\r\n`, ragged rows); this module decides what
//! a teacher's spreadsheet export means: the separator (comma, semicolon or tab; with semicolons
//! a decimal comma is read too), an optional header naming the columns, `#` comments, and where
//! the table ends (a blank line followed by another header starts a new table, as in our own data
//! export, whose loss history follows the points). Bad rows are skipped and reported by line;
//! a file that is too large, not text, or has no usable row is refused as a whole.

/// Largest file read (a 20,000-row table of long numbers is about 1 MB).
pub const MAX_BYTES: usize = 4 << 20;
/// Most data rows; a longer table is refused rather than cut.
pub const MAX_ROWS: usize = super::points::MAX_POINTS;
/// Most skipped rows spelled out in the report (the rest are counted).
const SHOWN_PROBLEMS: usize = 5;

/// The numeric rows of the first table, each with one value per wanted column.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub rows: Vec<Vec<f64>>,
    /// Skipped rows, "line 7: “abc” is not a number".
    pub skipped: Vec<String>,
    /// The line where a second table began (ignored), if any.
    pub ignored_from: Option<u64>,
}

impl Table {
    /// What happened, for the page: how many rows were read, which were skipped and why.
    pub fn summary(&self, what: &str) -> String {
        let mut out = format!("Read {} {what}", self.rows.len());
        if !self.skipped.is_empty() {
            let shown: Vec<&str> = self.skipped.iter().take(SHOWN_PROBLEMS).map(String::as_str).collect();
            let more = self.skipped.len().saturating_sub(SHOWN_PROBLEMS);
            out.push_str(&format!("; skipped {} row{}: {}", self.skipped.len(), plural(self.skipped.len()), shown.join("; ")));
            if more > 0 {
                out.push_str(&format!("; and {more} more"));
            }
        }
        if let Some(line) = self.ignored_from {
            out.push_str(&format!("; the table ends at the blank line before line {line} (the rest was not read)"));
        }
        out.push('.');
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Read `bytes` as a table with the `wanted` columns (lower-case names such as `["x", "y"]`).
/// A header picks columns by name; without one (or when it does not name them) the first
/// columns are taken in order. Errors say why nothing was read.
pub fn read(bytes: &[u8], wanted: &[&str]) -> Result<Table, String> {
    let columns = wanted.join(",");
    if bytes.len() > MAX_BYTES {
        return Err(format!("the file is {:.1} MB; at most {} MB of CSV can be read", bytes.len() as f64 / 1e6, MAX_BYTES >> 20));
    }
    let text = std::str::from_utf8(bytes).ok().filter(|t| !t.contains('\0')).ok_or_else(|| {
        format!("this is not a text file: a CSV with “{columns}” on each line is expected")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(separator) = sniff_separator(text) else {
        return Err(format!("the text is empty: paste or upload lines of “{columns}”"));
    };
    let decimal_comma = separator == b';';
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let number = |field: &str| -> Option<f64> {
        let field = if decimal_comma { field.replace(',', ".") } else { field.to_string() };
        field.parse::<f64>().ok()
    };
    let lines = Lines::of(text);
    let mut picks: Option<Vec<usize>> = None;
    let mut table = Table { rows: Vec::new(), skipped: Vec::new(), ignored_from: None };
    let mut last_line = 0u64;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| lines.line_of(p.byte() as usize)).unwrap_or(last_line + 1);
                table.skipped.push(format!("line {line}: cannot be read ({e})"));
                continue;
            }
        };
        let line = record.position().map(|p| lines.line_of(p.byte() as usize)).unwrap_or(last_line + 1);
        let after_gap = line > last_line + 1 && last_line > 0;
        last_line = line;
        let fields: Vec<&str> = record.iter().collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let numeric = fields.iter().all(|f| number(f).is_some());
        if !numeric && table.rows.is_empty() && picks.is_none() && table.skipped.is_empty() {
            // The first row names the columns.
            picks = Some(by_name(&fields, wanted));
            continue;
        }
        if !numeric && after_gap && !table.rows.is_empty() {
            table.ignored_from = Some(line);
            break;
        }
        let pick = picks.get_or_insert_with(|| (0..wanted.len()).collect());
        match row(&fields, pick, wanted, &number) {
            Ok(values) => {
                if table.rows.len() == MAX_ROWS {
                    return Err(format!("the table has more than {MAX_ROWS} rows: at most {MAX_ROWS} points can be used"));
                }
                table.rows.push(values);
            }
            Err(why) => table.skipped.push(format!("line {line}: {why}")),
        }
    }
    if table.rows.is_empty() {
        let first = table.skipped.first().map(|s| format!(" (first problem: {s})")).unwrap_or_default();
        return Err(format!("no usable row: each line needs “{columns}” as numbers{first}"));
    }
    Ok(table)
}

/// Line numbers of byte offsets. The csv crate's own record positions start where the previous
/// record ended, so blank and comment lines before a record would be counted as its own.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset of every `\n`.
    breaks: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn of(text: &'a str) -> Lines<'a> {
        Lines { text, breaks: text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect() }
    }

    /// The line (from 1) of the first character at or after `byte` that is not a line break,
    /// blank or comment line: where the record read from `byte` really starts.
    fn line_of(&self, byte: usize) -> u64 {
        let mut at = byte.min(self.text.len());
        let rest = &self.text.as_bytes()[at..];
        let mut i = 0;
        while i < rest.len() {
            match rest[i] {
                b'\r' | b'\n' | b' ' | b'\t' => i += 1,
                b'#' => i += rest[i..].iter().position(|b| *b == b'\n').unwrap_or(rest.len() - i),
                _ => break,
            }
        }
        at += i;
        (self.breaks.partition_point(|&b| b < at) + 1) as u64
    }
}

/// The separator of the first data line: tab, then semicolon, then comma (a line with none of
/// them is a single column, read with commas). `None` for text without a data line.
fn sniff_separator(text: &str) -> Option<u8> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?;
    Some(if line.contains('\t') {
        b'\t'
    } else if line.contains(';') {
        b';'
    } else {
        b','
    })
}

/// Column indices for `wanted` from a header: by name where it names them all, else in order.
fn by_name(header: &[&str], wanted: &[&str]) -> Vec<usize> {
    let find = |name: &str| header.iter().position(|h| h.trim_matches('"').eq_ignore_ascii_case(name));
    let named: Option<Vec<usize>> = wanted.iter().map(|w| find(w)).collect();
    named.unwrap_or_else(|| (0..wanted.len()).collect())
}

/// One row's wanted values, or why it cannot be used.
fn row(fields: &[&str], pick: &[usize], wanted: &[&str], number: &dyn Fn(&str) -> Option<f64>) -> Result<Vec<f64>, String> {
    let mut values = Vec::with_capacity(pick.len());
    for (&i, name) in pick.iter().zip(wanted) {
        let Some(field) = fields.get(i) else {
            return Err(format!(
                "{} column{}; “{}” expected",
                fields.len(),
                plural(fields.len()),
                wanted.join(",")
            ));
        };
        match number(field) {
            Some(v) if v.is_finite() => values.push(v),
            Some(_) => return Err(format!("{name} is “{}”, not a finite number", short(field))),
            None => return Err(format!("{name} “{}” is not a number", short(field))),
        }
    }
    Ok(values)
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(16).collect();
    if s.chars().count() > 16 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xy(text: &str) -> Result<Table, String> {
        read(text.as_bytes(), &["x", "y"])
    }

    #[test]
    fn plain_and_headed_tables() {
        let t = xy("0,1\n0.5,2\n1,-3e-1\n").unwrap();
        assert_eq!(t.rows, vec![vec![0.0, 1.0], vec![0.5, 2.0], vec![1.0, -0.3]]);
        assert!(t.skipped.is_empty());
        // A header picks columns by name, in any order and case, with other columns around.
        let t = xy("id,Y,X\n1,10,0.5\n2,20,0.75\n").unwrap();
        assert_eq!(t.rows, vec![vec![0.5, 10.0], vec![0.75, 20.0]]);
        // A header that names other things: the first two columns.
        let t = xy("time,temperature\n0,15\n1,16\n").unwrap();
        assert_eq!(t.rows, vec![vec![0.0, 15.0], vec![1.0, 16.0]]);
    }

    #[test]
    fn separators_quotes_comments_and_decimal_commas() {
        let t = xy("\u{feff}# measured 2026\r\nx;y\r\n0,5;1,25\r\n2;3\r\n").unwrap();
        assert_eq!(t.rows, vec![vec![0.5, 1.25], vec![2.0, 3.0]]);
        let t = xy("x\ty\n1\t2\n 3 \t 4 \n").unwrap();
        assert_eq!(t.rows, vec![vec![1.0, 2.0], vec![3.0, 4.0]]);
        let t = xy("\"x\",\"y\"\n\"1\",\"2\"\n").unwrap();
        assert_eq!(t.rows, vec![vec![1.0, 2.0]]);
    }

    #[test]
    fn bad_rows_are_skipped_with_their_line_numbers() {
        let t = xy("x,y\n1,2\nabc,3\n4\n\n5,NaN\n6,inf\n7,8,9\n").unwrap();
        assert_eq!(t.rows, vec![vec![1.0, 2.0], vec![7.0, 8.0]]);
        assert_eq!(t.skipped.len(), 4, "{:?}", t.skipped);
        assert!(t.skipped[0].starts_with("line 3: x “abc”"), "{:?}", t.skipped);
        assert!(t.skipped[1].starts_with("line 4: 1 column;"), "{:?}", t.skipped);
        assert!(t.skipped[2].starts_with("line 6: y is “NaN”"), "{:?}", t.skipped);
        assert!(t.skipped[3].starts_with("line 7:"), "{:?}", t.skipped);
        let s = t.summary("points");
        assert!(s.starts_with("Read 2 points; skipped 4 rows: line 3"), "{s}");
    }

    #[test]
    fn our_own_export_reads_back_its_points_and_not_its_loss_history() {
        let export = "set,x,y\ntrain,0.1,0.2\ntest,0.3,0.4\n\nstep,train_loss\n0,0.5\n10,0.25\n\nstep,test_loss\n0,0.6\n";
        let t = xy(export).unwrap();
        assert_eq!(t.rows, vec![vec![0.1, 0.2], vec![0.3, 0.4]]);
        assert_eq!(t.ignored_from, Some(5));
        assert!(t.summary("points").contains("line 5"));
    }

    #[test]
    fn hostile_input_is_refused_with_a_reason_and_never_panics() {
        let no_row = xy("x,y\nfoo,bar\n").unwrap_err();
        assert!(no_row.contains("no usable row") && no_row.contains("line 2"), "{no_row}");
        assert!(xy("").unwrap_err().contains("empty"));
        assert!(xy("\n\n# only a comment\n").unwrap_err().contains("empty"));
        assert!(xy("1\n2\n3\n").unwrap_err().contains("no usable row"));
        let binary: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
        assert!(read(&binary, &["x", "y"]).unwrap_err().contains("not a text file"));
        assert!(xy("1,2\0\n").unwrap_err().contains("not a text file"));
        let huge = vec![b'1'; MAX_BYTES + 1];
        assert!(read(&huge, &["x", "y"]).unwrap_err().contains("at most 4 MB"));
        // A million rows is refused as a whole (not cut): by its size, and by its row count when
        // the numbers are short enough to fit.
        let million: String = (0..1_000_000).map(|i| format!("{i},1\n")).collect();
        assert!(xy(&million).unwrap_err().contains("at most 4 MB"));
        let short: String = (0..1_000_000).map(|i| format!("{},1\n", i % 10)).collect();
        assert!(xy(&short).unwrap_err().contains("more than 20000 rows"));
        let exactly: String = (0..MAX_ROWS).map(|i| format!("{i},1\n")).collect();
        assert_eq!(xy(&exactly).unwrap().rows.len(), MAX_ROWS);
        // Quotes left open, stray separators, very long fields.
        for junk in ["\"1,2\n3,4", ",,,\n;;;\n", "1,2,\"", &"9".repeat(100_000), "x,y\n1e999,1\n-1e999,2\n"] {
            let _ = xy(junk);
        }
        assert!(xy("x,y\n1e999,1\n").unwrap_err().contains("not a finite number"));
    }

    #[test]
    fn three_columns_for_labelled_points() {
        let t = read(b"x,y,label\n0.1,0.2,1\n0.3,0.4,0\n", &["x", "y", "label"]).unwrap();
        assert_eq!(t.rows, vec![vec![0.1, 0.2, 1.0], vec![0.3, 0.4, 0.0]]);
    }
}
